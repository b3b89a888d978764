"""Bulk load into the database: all-or-nothing, idempotent, and readable back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from importer_support import E1, E2, UNKNOWN, as_documented, cell, minimal_directory
from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from scheduler.cli import main
from scheduler.data.directory import Directory
from scheduler.data.folder_writer import write_folder
from scheduler.data.formats import TABLES
from scheduler.store.engine import init_db, make_engine
from scheduler.store.loader import (
    DB_TABLES,
    QUALIFICATIONS,
    _upsert,
    directory_from_db,
    load_directory,
    row_counts,
)
from scheduler.store.models import AuditEvent, Entity


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    yield engine
    engine.dispose()


def by_key(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(TABLES[name].key)).reset_index(drop=True)


def test_load_writes_every_table_and_audits(engine: Engine) -> None:
    directory = minimal_directory()
    report = load_directory(engine, directory)
    expected = {name: len(frame) for name, frame in directory.tables().items()}
    assert report.written == expected and report.inserted == expected and report.counts == expected
    counts = row_counts(engine)
    assert {k: counts[k] for k in expected} == expected
    assert counts["qualifications"] == report.qualifications == 3
    with Session(engine) as session:
        events = session.exec(select(AuditEvent)).scalars().all()
    assert [e.kind for e in events] == ["directory.load"]
    assert events[0].details["inserted"]["entities"] == 3


def test_reload_is_idempotent(engine: Engine) -> None:
    directory = minimal_directory()
    load_directory(engine, directory)
    before = row_counts(engine)
    report = load_directory(engine, directory)
    assert row_counts(engine) == before
    assert set(report.inserted.values()) == {0}


def test_reload_updates_changed_rows_by_natural_key(engine: Engine) -> None:
    load_directory(engine, minimal_directory())
    changed = minimal_directory()
    changed.entities.loc[0, "name"] = "潍坊甲食品股份有限公司"
    changed.ratings.loc[1, "tier"] = "D"
    changed.inspectors.loc[0, "qualifications"] = "catering"
    load_directory(engine, changed)
    back = directory_from_db(engine)
    assert back.entities.set_index("uscc").loc[E1, "name"] == "潍坊甲食品股份有限公司"
    ratings = back.ratings.set_index(["uscc", "department_code"])
    assert ratings.loc[(E1, "MARKET"), "tier"] == "D"
    assert row_counts(engine)["ratings"] == 4
    with engine.connect() as connection:
        pairs = connection.execute(select(QUALIFICATIONS)).all()
    assert sorted(pairs) == [("LF001", "catering"), ("LF002", "food")]


def test_directory_round_trips(engine: Engine) -> None:
    directory = minimal_directory()
    load_directory(engine, directory)
    back = directory_from_db(engine)
    for name, frame in directory.tables().items():
        pd.testing.assert_frame_equal(back.table(name), by_key(name, frame), check_dtype=True)


def test_empty_database_reads_as_empty_typed_directory(engine: Engine) -> None:
    back = directory_from_db(engine)
    assert all(frame.empty for frame in back.tables().values())
    assert back.ratings["evaluated_on"].dtype == "datetime64[ns]"
    assert back.inspectors["capacity"].dtype == "int64"


def test_failure_during_load_rolls_everything_back(engine: Engine) -> None:
    tables = minimal_directory().tables()
    # bypass validation: a rating of an entity that is not in the directory
    tables["ratings"] = as_documented(pd.concat([tables["ratings"], tables["ratings"].iloc[[0]]]))
    tables["ratings"].iloc[-1, 0] = UNKNOWN
    with pytest.raises(IntegrityError):
        load_directory(engine, Directory.from_tables(tables))
    assert set(row_counts(engine).values()) == {0}


def test_failing_cli_load_leaves_previous_load_intact(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    write_folder(minimal_directory(), folder)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["db", "load", str(folder), "--url", url]) == 0
    engine = make_engine(url)
    before = row_counts(engine)
    first = directory_from_db(engine)
    cell("entities", 2, "name", "新名称")(folder)
    cell("entities", 3, "uscc", E2[:17] + "?")(folder)
    assert main(["db", "load", str(folder), "--url", url]) == 2
    assert row_counts(engine) == before
    after = directory_from_db(engine)
    for name in TABLES:
        pd.testing.assert_frame_equal(after.table(name), first.table(name))
    engine.dispose()


def test_cli_init_and_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["db", "init", "--url", url]) == 0
    assert main(["db", "init", "--url", url]) == 0
    assert main(["db", "info", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "entities" in out and "检查对象名录库" in out


def test_cli_url_defaults_to_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler.settings import get_settings

    url = f"sqlite:///{tmp_path / 'from_env.sqlite'}"
    monkeypatch.setenv("SCHEDULER_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        folder = tmp_path / "data"
        write_folder(minimal_directory(), folder)
        assert main(["db", "load", str(folder)]) == 0
    finally:
        get_settings.cache_clear()
    assert (tmp_path / "from_env.sqlite").exists()
    assert row_counts(make_engine(url))["entities"] == 3


@pytest.mark.parametrize(
    "dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"]
)
def test_upsert_uses_the_dialects_on_conflict(dialect) -> None:
    class Bound:  # the loader only asks the connection for its dialect
        pass

    Bound.dialect = dialect
    statement = _upsert(
        Bound, DB_TABLES["ratings"], TABLES["ratings"].key, list(TABLES["ratings"].column_names)
    )
    sql = str(statement.compile(dialect=dialect))
    assert (
        "ON CONFLICT (uscc, department_code, evaluated_on) DO UPDATE SET tier = excluded.tier"
        in sql
    )
    assert "WHERE" in sql  # unchanged rows are not rewritten


def test_entity_rows_are_plain_values(engine: Engine) -> None:
    load_directory(engine, minimal_directory())
    with Session(engine) as session:
        entity = session.get(Entity, E1)
    assert entity is not None and entity.registered_on.isoformat() == "2015-03-01"
    assert entity.sectors == "food;catering"
