"""A private PostgreSQL server for the tests, one per test session (per xdist worker).

``initdb`` + ``pg_ctl`` from ``/usr/lib/postgresql/*/bin``, on a free localhost port, as
the unprivileged ``postgres`` user when the tests run as root. Loaded as a plugin by
``conftest.py`` so every test module shares one server: a module that imported the
fixture itself used to start a server of its own. Missing binaries fail the run (CI
installs them through ``run.sh``); they are never skipped.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import psycopg
import pytest

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

    def create_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template`` (a URL of this server; its
        open connections are ended first); returns its SQLAlchemy URL."""
        name = f"scheduler_test_{next(self.names)}"
        dsn = f"host=127.0.0.1 port={self.port} user={PG_USER} dbname=postgres"
        source = template.rsplit("/", 1)[1] if template else None
        with psycopg.connect(dsn, autocommit=True) as connection:
            if source:  # connections the commands' engines left in their pools
                connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (source,),
                )
            copy = f' TEMPLATE "{source}"' if source else ""
            connection.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A private PostgreSQL server in a temporary directory, stopped and removed at the end."""
    bindir = _pg_bin()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", PG_USER, "--"] if as_root else []
    # as root, under /tmp: the postgres user must be able to reach it whatever TMPDIR says
    root = Path(tempfile.mkdtemp(prefix="scheduler-pg-", dir="/tmp" if as_root else None))
    data, log = root / "data", root / "server.log"
    if as_root:  # PostgreSQL refuses to run as root: hand the directory to its own user
        shutil.chown(root, PG_USER, PG_USER)
    port = _free_port()
    started = False
    # a linguistic collation (ICU en-US, PostgreSQL 15+), like a typical deployment:
    # text does not sort by code point there
    collation = (
        ["--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US"]
        if float(bindir.parent.name) >= 15
        else []
    )

    def run(*args: str) -> None:
        done = subprocess.run(
            [*prefix, *args], cwd=root, capture_output=True, text=True, timeout=120, check=False
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
            *collation,
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
                    cwd=root,
                    capture_output=True,
                    timeout=60,
                    check=False,
                )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """An empty database of its own."""
    return pg_server.create_database()
