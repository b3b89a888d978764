"""Schema migrations: a database of the release before migrations is upgraded in place, losing
nothing, on SQLite and PostgreSQL; and the models never drift from the newest migration."""

from __future__ import annotations

import io
import os
import sqlite3
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
from scheduler.store.engine import init_db, make_engine
from scheduler.store.schema import (
    current_revision,
    head_revision,
    model_differences,
    upgrade,
)
from scheduler.store.schema_head import at_head, shipped_head


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


def test_shipped_head_is_alembics_head() -> None:
    """``init_db``'s fast check reads the revision files itself; it must agree with Alembic."""
    assert shipped_head() == head_revision()


def _dangling_sector(path: Path) -> None:
    """A sector whose department does not exist (written with foreign keys off)."""
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO sector (code, name, department_code) VALUES ('X', 'x', 'NOPE')")


def test_init_db_upgrades_an_old_database_and_checks_its_keys(tmp_path: Path) -> None:
    """Below the head, ``init_db`` still runs the migration and the foreign-key check."""
    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    assert not at_head(engine)  # empty: no alembic_version
    upgrade(engine, "0002")
    assert not at_head(engine)
    _dangling_sector(path)
    with pytest.raises(RuntimeError, match="foreign keys"):
        init_db(engine)
    assert current_revision(engine) == "0002"  # all-or-nothing: the failed upgrade rolled back


def test_init_db_at_the_head_does_nothing(tmp_path: Path) -> None:
    """At the head, ``init_db`` neither migrates nor scans the whole database."""
    path = tmp_path / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    assert at_head(engine) and current_revision(engine) == head_revision()
    _dangling_sector(path)
    init_db(engine)  # no whole-database key check when no migration ran
    assert upgrade(engine) == head_revision()  # nor in an explicit upgrade with nothing to do


def test_a_database_at_the_newest_revision_is_left_alone(tmp_path: Path) -> None:
    # Issue 10: every new process upgraded under the write lock and scanned every foreign key
    # (~4 s on a city-sized database); one already at head is now only read.
    import sqlite3
    import time

    url = f"sqlite:///{tmp_path / 'head.db'}"
    engine = make_engine(url)
    try:
        assert upgrade(engine) == head_revision()
        writer = sqlite3.connect(tmp_path / "head.db", timeout=0)
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            started = time.perf_counter()
            assert upgrade(engine) == head_revision()  # used to wait for the lock
            assert time.perf_counter() - started < 5  # the lock wait is SQLITE_BUSY_SECONDS
        finally:
            writer.rollback()
            writer.close()
    finally:
        engine.dispose()
