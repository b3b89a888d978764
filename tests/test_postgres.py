"""The whole database path against a live, private PostgreSQL server.

The foundation promises "any SQLAlchemy URL; nothing SQLite-only". These tests
start a throw-away PostgreSQL server (``initdb`` + ``pg_ctl`` from
``/usr/lib/postgresql/*/bin``, on a free localhost port, as the unprivileged
``postgres`` user when the tests run as root) and drive the real code paths:
``db load`` of the committed ``sample_data/``, plans, recorded draws, verify,
assignment runs, results and deadlines, the demo. Missing PostgreSQL binaries
fail the run (CI installs them through ``run.sh``); they are never skipped.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from scheduler.cli import main
from scheduler.db import init_db, make_engine, record_event, session_scope
from scheduler.formats import TABLES
from scheduler.importer import read_folder
from scheduler.loader import directory_from_db, row_counts

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PG_USER = "postgres"


def _pg_bin() -> Path:
    """The newest installed server's bin directory; fails (never skips) when there is none."""
    found = [Path(p) for p in glob.glob(PG_BIN_GLOB) if (Path(p) / "initdb").exists()]
    if not found:
        pytest.fail(
            f"PostgreSQL server binaries not found ({PG_BIN_GLOB}/initdb): "
            "install Debian's `postgresql` package (./run.sh test does it)",
            pytrace=False,
        )
    return max(found, key=lambda p: float(p.parent.name))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class PgServer:
    port: int
    names: Iterator[int]

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = f"scheduler_test_{next(self.names)}"
        dsn = f"host=127.0.0.1 port={self.port} user={PG_USER} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A private PostgreSQL server in a temporary directory, stopped and removed at the end."""
    bindir = _pg_bin()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", PG_USER, "--"] if as_root else []
    root = Path(tempfile.mkdtemp(prefix="scheduler-pg-"))
    data, log = root / "data", root / "server.log"
    if as_root:  # PostgreSQL refuses to run as root: hand the directory to its own user
        shutil.chown(root, PG_USER, PG_USER)
    port = _free_port()
    started = False

    def run(*args: str) -> None:
        done = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            pytest.fail(
                f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                f"{server_log}",
                pytrace=False,
            )

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            PG_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c TimeZone=Asia/Shanghai"  # a server not in UTC, like a deployment in Weifang
        )
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        started = True
        yield PgServer(port, count(1))
    finally:
        if started:
            with contextlib.suppress(Exception):
                subprocess.run(
                    [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                    capture_output=True,
                    timeout=60,
                    check=False,
                )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """An empty database of its own."""
    return pg_server.create_database()


@pytest.fixture(scope="module")
def loaded_url(pg_server: PgServer, sample_dir: Path) -> str:
    """A database with ``sample_data/`` loaded through ``scheduler db load``."""
    url = pg_server.create_database()
    assert main(["db", "init", "--url", url]) == 0
    assert main(["db", "load", str(sample_dir), "--url", url]) == 0
    return url


@pytest.fixture
def engine(loaded_url: str) -> Iterator[Engine]:
    engine = make_engine(loaded_url)
    yield engine
    engine.dispose()


def _expected_counts(sample_dir: Path) -> dict[str, int]:
    return {name: len(frame) for name, frame in read_folder(sample_dir).tables().items()}


def test_load_sample_data_counts_and_idempotent_reload(
    loaded_url: str, sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(loaded_url)
    try:
        assert engine.dialect.name == "postgresql"
        expected = _expected_counts(sample_dir)
        counts = row_counts(engine)
        assert {k: counts[k] for k in expected} == expected
        assert counts["entities"] == 20_000 and counts["qualifications"] > 0
        assert main(["db", "load", str(sample_dir), "--url", loaded_url]) == 0
        assert row_counts(engine) == counts
        assert main(["db", "info", "--url", loaded_url]) == 0
        assert "20,000" in capsys.readouterr().out
    finally:
        engine.dispose()


def test_bad_folder_leaves_the_database_untouched(
    loaded_url: str, sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(sample_dir, folder)
    entities = pd.read_csv(folder / "entities.csv", dtype=str, keep_default_na=False)
    entities.loc[0, "name"] = "改过的名称"
    entities.loc[1, "uscc"] = "NOT-A-USCC"
    entities.to_csv(folder / "entities.csv", index=False)
    engine = make_engine(loaded_url)
    try:
        before = row_counts(engine)
        assert main(["db", "load", str(folder), "--url", loaded_url]) == 2
        assert "entities" in capsys.readouterr().err
        assert row_counts(engine) == before
        names = directory_from_db(engine).entities["name"]
        assert "改过的名称" not in set(names)
    finally:
        engine.dispose()


def test_directory_from_db_equals_the_folder(engine: Engine, sample_dir: Path) -> None:
    folder = read_folder(sample_dir)
    back = directory_from_db(engine)
    for name, frame in folder.tables().items():
        expected = frame.sort_values(list(TABLES[name].key)).reset_index(drop=True)
        pd.testing.assert_frame_equal(back.table(name), expected, check_dtype=True)
