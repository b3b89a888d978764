"""Schema migrations: a database of the release before migrations is upgraded in place, losing
nothing, on SQLite and PostgreSQL; and the models never drift from the newest migration."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from postgres_support import PgServer
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from scheduler.cli import main
from scheduler.store.engine import make_engine
from scheduler.store.schema import (
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


PREVIOUS_RELEASE = "a7661c0"
"""The last commit of release 0.1.0, whose tables ``create_all`` made (the baseline schema)."""

REPO = Path(__file__).resolve().parents[2]


def _snapshot(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every row of every table the database holds, in a stable order."""
    frames = {}
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            if name == "alembic_version":
                continue
            frame = pd.read_sql_table(name, connection)
            table = SQLModel.metadata.tables[name]
            key = [c.name for c in table.primary_key.columns] or list(frame.columns)
            frames[name] = frame.sort_values(key, kind="stable").reset_index(drop=True)
    return frames


@pytest.fixture(scope="session")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's ``scheduler`` package, taken from the repository's history."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", PREVIOUS_RELEASE, "scheduler"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise RuntimeError(
            f"the migration test needs commit {PREVIOUS_RELEASE} (release 0.1.0) from the "
            f"repository's history (a full clone): {archive.stderr.decode(errors='replace')}"
        )
    target = tmp_path_factory.mktemp("release-0.1.0")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


def _make_previous_release_database(url: str, source: Path, sample_dir: Path) -> None:
    """What release 0.1.0 itself leaves behind: its own code creates the tables, loads the
    sample data and records the demo plan's draw and assignment."""
    env = {**os.environ, "PYTHONPATH": str(source), "SCHEDULER_DATABASE_URL": url}
    for args in (
        ["db", "init"],
        ["db", "load", str(sample_dir)],
        ["demo-plan", "--seed", "20261126"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "scheduler", *args],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)


def test_upgrade_in_place_keeps_every_row(
    engine: Engine, empty_url: str, sample_dir: Path, previous_release: Path
) -> None:
    _make_previous_release_database(empty_url, previous_release, sample_dir)
    assert current_revision(engine) is None  # release 0.1.0 knew no migrations
    before = _snapshot(engine)
    assert len(before["entity"]) == 20_000 and len(before["assignmentrow"]) > 0

    assert main(["db", "upgrade", "--url", empty_url]) == 0

    assert current_revision(engine) == head_revision()
    after = _snapshot(engine)
    assert set(after) >= set(before)
    for name, frame in before.items():  # every old row and column, unchanged
        kept = after[name][list(frame.columns)]
        pd.testing.assert_frame_equal(kept, frame, check_dtype=False, obj=name)
    assert main(["audit", "verify", "--url", empty_url]) == 0  # old events now chained
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
