"""PostgreSQL bulk load: ``COPY`` as CSV blocks, checks suspended and made again, ``ANALYZE``.

Needs the PostgreSQL server binaries (see ``tests/postgres_support.py``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from scheduler.cli import main
from scheduler.data.formats import TABLE_ORDER, TABLES
from scheduler.store.bulk_write import suspend_checks
from scheduler.store.engine import make_engine
from scheduler.store.readback import directory_from_db
from scheduler.store.tables import DB_TABLES

SOME_DAY = date(2026, 1, 5)
_SCHEMA = sa.text(
    """
    SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace
    ORDER BY 1, 2
    """
)


def _schema(engine: sa.Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(_SCHEMA)]


def test_first_load_keeps_every_index_and_constraint_and_analyzes(pg_url, sample_dir):
    assert main(["db", "init", "--url", pg_url]) == 0
    engine = make_engine(pg_url)
    before = _schema(engine)
    assert any(name == "rating_uscc_fkey" for _, name, _ in before)
    assert main(["db", "load", str(sample_dir), "--url", pg_url]) == 0
    assert _schema(engine) == before
    with engine.connect() as connection:
        analyzed = dict(
            connection.execute(
                sa.text("SELECT relname, last_analyze FROM pg_stat_user_tables")
            ).all()
        )
    for name in TABLE_ORDER:
        assert analyzed[DB_TABLES[name].name] is not None, name
    engine.dispose()


def test_copied_values_read_back_exactly(pg_url, sample_dir):
    """Empty text stays empty (not NULL), dates and booleans survive the CSV form."""
    from scheduler.data.importing.reader import read_folder

    assert main(["db", "init", "--url", pg_url]) == 0
    assert main(["db", "load", str(sample_dir), "--url", pg_url]) == 0
    engine = make_engine(pg_url)
    read = directory_from_db(engine)
    source = read_folder(sample_dir)
    for name in TABLE_ORDER:
        key = list(TABLES[name].key)
        pd.testing.assert_frame_equal(
            read.table(name).sort_values(key, ignore_index=True),
            source.table(name).sort_values(key, ignore_index=True),
            check_dtype=False,
            obj=name,
        )
    with engine.connect() as connection:
        nulls = connection.execute(
            sa.text("SELECT count(*) FROM entity WHERE phone IS NULL OR address IS NULL")
        ).scalar_one()
    assert nulls == 0
    engine.dispose()


def test_a_violation_found_when_checks_are_made_again_undoes_everything(pg_url):
    assert main(["db", "init", "--url", pg_url]) == 0
    engine = make_engine(pg_url)
    before = _schema(engine)
    rating = DB_TABLES["ratings"]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        restore = suspend_checks(connection, rating)
        assert "uq_rating_key" not in str(_schema_in(connection))
        connection.execute(  # an unknown entity: the foreign key, made again, refuses it
            rating.insert(),
            [{"uscc": "X", "department_code": "PUBLIC", "tier": "A", "evaluated_on": SOME_DAY}],
        )
        restore()
    assert _schema(engine) == before
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM rating")).scalar_one() == 0
    engine.dispose()


def _schema_in(connection: sa.Connection) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in connection.execute(_SCHEMA)]
