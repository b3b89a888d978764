"""Schema migrations: a database of the release before migrations is upgraded in place, losing
nothing, on SQLite and PostgreSQL; and the models never drift from the newest migration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel
from test_postgres import PgServer, pg_server  # noqa: F401  (the private PostgreSQL server)

from scheduler.cli import main
from scheduler.db import make_engine
from scheduler.demo import prepare_demo
from scheduler.importer import read_folder
from scheduler.loader import load_directory
from scheduler.schema import (
    BASELINE,
    current_revision,
    head_revision,
    model_differences,
    upgrade,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.create_database()


@pytest.fixture
def engine(empty_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()


def _snapshot(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every row of every scheduler table, in a stable order."""
    frames = {}
    with engine.connect() as connection:
        for name, table in SQLModel.metadata.tables.items():
            frame = pd.read_sql_table(name, connection)
            key = [c.name for c in table.primary_key.columns] or list(frame.columns)
            frames[name] = frame.sort_values(key, kind="stable").reset_index(drop=True)
    return frames


def _make_previous_release_database(engine: Engine, sample_dir: Path) -> None:
    """Tables at the baseline schema with the sample data and the demo plan in them, and no
    ``alembic_version``: exactly what release 0.1.0 (``create_all``) left behind."""
    upgrade(engine, BASELINE)
    load_directory(engine, read_folder(sample_dir))
    prepare_demo(engine, seed=20261126)  # plans, a recorded draw, an assignment run, audit
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    assert current_revision(engine) is None


def test_upgrade_in_place_keeps_every_row(engine: Engine, empty_url: str, sample_dir: Path) -> None:
    _make_previous_release_database(engine, sample_dir)
    before = _snapshot(engine)
    assert len(before["entity"]) == 20_000 and len(before["assignmentrow"]) > 0

    assert main(["db", "upgrade", "--url", empty_url]) == 0

    assert current_revision(engine) == head_revision()
    after = _snapshot(engine)
    assert set(after) == set(before)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, check_dtype=False, obj=name)
    assert main(["db", "upgrade", "--url", empty_url]) == 0  # idempotent
    assert main(["db", "init", "--url", empty_url]) == 0  # init = upgrade to the newest
    assert current_revision(engine) == head_revision()


def test_models_agree_with_the_newest_migration(engine: Engine) -> None:
    """A model change without a migration fails here: run ``scheduler db revision -m ...``."""
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert model_differences(engine) == []
    assert set(inspect(engine).get_table_names()) >= set(SQLModel.metadata.tables)


def test_differences_are_detected(tmp_path: Path) -> None:
    """The check above can fail: a database missing a column is reported."""
    engine = make_engine(f"sqlite:///{tmp_path / 'drift.db'}")
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE auditevent DROP COLUMN actor"))
    differences = model_differences(engine)
    assert any(d[0] == "add_column" and d[3].name == "actor" for d in differences)
