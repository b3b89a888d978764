"""CLI command ``scheduler dashboard``: seed an empty database, then ``streamlit run`` the app."""

from __future__ import annotations

import os
import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console, err_console

__all__ = [
    "register",
    "streamlit_command",
    "default_data_folder",
    "database_url",
    "holds_entities",
    "seed_if_empty",
]


def default_data_folder() -> Path | None:
    """``sample_data/`` in the working directory, else next to the source tree."""
    for candidate in (
        Path.cwd() / "sample_data",
        Path(__file__).resolve().parents[2] / "sample_data",
    ):
        if (candidate / "entities.csv").is_file() or (candidate / "entities.xlsx").is_file():
            return candidate
    return None


ENTITY_TABLE = "entity"
"""The entities' table, ``DB_TABLES["entities"]`` (a test checks they agree)."""
_ENTITY_PROBE = f"SELECT 1 FROM {ENTITY_TABLE} LIMIT 1"


def _sqlite_file(url: str) -> Path | None:
    """The existing file of a plain ``sqlite:///PATH`` URL (no driver, no query), else ``None``."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or url == prefix or url.endswith(":memory:"):
        return None
    path = Path(url[len(prefix) :])
    return path if path.is_file() else None


def holds_entities(url: str) -> bool:
    """Whether the database at ``url`` holds an entity: one indexed look-up before any import.

    Every start of the server runs this first, and a database with a directory
    needs nothing else before the server starts: a plain SQLite file is asked
    through the standard library, any other URL through SQLAlchemy
    Core, so neither the models, pandas nor the importer are imported (~1 s of
    CPU). A missing table (a new database) counts as empty.
    """
    path = _sqlite_file(url)
    if path is not None:
        import sqlite3

        try:
            with closing(sqlite3.connect(path)) as db:
                return db.execute(_ENTITY_PROBE).fetchone() is not None
        except sqlite3.Error:  # no table yet, locked, ...: asked again the general way below
            pass
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError, ProgrammingError

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(text(_ENTITY_PROBE))
            return found.first() is not None
    except (OperationalError, ProgrammingError):  # no table yet: a new database
        return False
    finally:
        engine.dispose()


def seed_if_empty(url: str, data: Path | None) -> int:
    """Create the schema and, if the database holds no entity, import ``data``.

    Returns the number of entities imported (0 when the database already had a
    directory or no folder was found). Runs before every start of the server, so
    a database that holds a directory costs one indexed look-up (``holds_entities``),
    not a count of every table (~9 s at city size) nor the store's or the importer's
    imports (~1 s of CPU before the server could start).
    """
    # A database holding a directory is left to the server (which brings its schema up
    # to date on first use): no migration tooling imported here.
    if holds_entities(url):
        return 0
    from scheduler.store.engine import init_db, make_engine

    engine = make_engine(url)
    try:
        init_db(engine)
        if data is None or holds_entities(url):  # nothing to seed from, or seeded meanwhile
            return 0
        from scheduler.data.importing.reader import read_folder
        from scheduler.views.loading import load_with_overview

        directory = read_folder(data)
        load_with_overview(engine, directory, actor=cli_actor())
        return len(directory.entities)
    finally:
        engine.dispose()


def database_url() -> str:
    """``SCHEDULER_DATABASE_URL`` (any case, as the settings read it), else the settings' default.

    Read from the environment directly when set: the settings model costs ~0.2 s
    of imports before the server could start.
    """
    for name, value in os.environ.items():
        if name.lower() == "scheduler_database_url":
            return value
    from scheduler.settings import get_settings

    return get_settings().database_url


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The ``streamlit run`` command line: the entry script, the address, every config option.

    Run through ``dashboard.launch`` (Streamlit's own command line plus a thread
    that prepares the first page while the browser loads).
    """
    from scheduler.cli.serve import config_file, config_flags

    app = config_file().parent.parent / "app.py"
    return [
        sys.executable,
        "-m",
        "dashboard.launch",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        address,
    ] + config_flags()


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""

    @app.command("dashboard")
    def dashboard_command(
        port: Annotated[int, typer.Option(help="Port to serve the dashboard on.")] = 8501,
        url: Annotated[
            str | None,
            typer.Option(
                "--url", help="Database URL (default: SCHEDULER_DATABASE_URL or ./scheduler.db)."
            ),
        ] = None,
        headless: Annotated[
            bool, typer.Option("--headless", help="Do not open a browser (servers, tests).")
        ] = False,
        data: Annotated[
            Path | None,
            typer.Option(
                "--data",
                help="Folder to seed an empty database from (default: sample_data/).",
                file_okay=False,
            ),
        ] = None,
        address: Annotated[
            str,
            typer.Option(
                "--address",
                help="Address to listen on. Anything but loopback needs sign-in configured "
                "([auth] in .streamlit/secrets.toml).",
            ),
        ] = "127.0.0.1",
    ) -> int:
        """Open the planners' dashboard; an empty database is first filled from the sample data."""
        from dashboard.signin import is_loopback, signin_configured

        if not is_loopback(address) and not signin_configured():
            err_console.print(
                f"error: refusing to listen on {address}: sign-in is not configured, so the "
                "dashboard is single-user local mode and only listens on 127.0.0.1. Configure "
                "an identity provider in the [auth] section of .streamlit/secrets.toml "
                "(see docs/security.md), or drop --address.",
                markup=False,
                highlight=False,
            )
            return 2

        url = url or database_url()
        folder = data or default_data_folder()
        imported = seed_if_empty(url, folder)
        if imported:
            console.print(f"seeded the database with {imported:,} entities from {folder}")
        from scheduler.cli.serve import open_when_ready, run_until_interrupted

        env = os.environ | {"SCHEDULER_DATABASE_URL": url}
        mode = "sign-in required" if signin_configured() else "local mode, no sign-in"
        host = "localhost" if is_loopback(address) else address
        shown = f"http://{host}:{port}"
        console.print(f"dashboard: {shown}  ({mode}; database {url}); Ctrl-C stops it")
        return run_until_interrupted(
            streamlit_command(port, address),
            env,
            on_start=None if headless else lambda process: open_when_ready(shown, process),
        )
