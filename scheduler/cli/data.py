"""CLI commands ``db init``/``upgrade``/``revision``, ``db load``, ``db info``: the database.

The command layer only parses, calls ``scheduler.data.importing.reader`` /
``scheduler.store.loader``
and prints. A folder that fails validation exits with code 2, every problem
listed, and nothing is written (validation happens before the database is
touched; the load itself is one transaction).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console, progress_bar
from scheduler.data.formats import TABLE_ORDER, TABLES

__all__ = ["register", "db_app", "db_init", "db_upgrade", "db_revision", "db_load", "db_info"]

db_app = typer.Typer(
    help="Create, load and inspect the database (SCHEDULER_DATABASE_URL or --url).",
    no_args_is_help=True,
)

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="SQLAlchemy database URL; default: SCHEDULER_DATABASE_URL."),
]


def _safe_url(url: str | None) -> str:
    """The URL for display, password masked."""
    from sqlalchemy.engine import make_url

    from scheduler.settings import get_settings

    return make_url(url or get_settings().database_url).render_as_string(hide_password=True)


@db_app.command("init")
def db_init(url: UrlOption = None) -> None:
    """Create the database or bring it to the newest schema (= ``db upgrade``; safe to repeat)."""
    db_upgrade(url)


@db_app.command("upgrade")
def db_upgrade(
    url: UrlOption = None,
    revision: Annotated[
        str, typer.Option("--revision", help="Target revision (default: the newest).")
    ] = "head",
) -> None:
    """Migrate the database's schema in place to the newest revision; data is kept."""
    from scheduler.store.engine import make_engine  # lazy: keeps other commands' start-up fast
    from scheduler.store.schema import current_revision, upgrade

    engine = make_engine(url)
    try:
        before = current_revision(engine)
        after = upgrade(engine, revision)
    finally:
        engine.dispose()
    moved = "unchanged" if before == after else f"from {before or 'no schema'}"
    console.print(f"database ready at schema revision {after} ({moved}): {_safe_url(url)}")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("-m", "--message", help="What the change does.")],
    url: Annotated[
        str,
        typer.Option("--url", help="Scratch database to compare against (default: a temp file)."),
    ] = "",
) -> None:
    """Developers: autogenerate the next migration from the models (review it before committing)."""
    import tempfile

    from scheduler.store.engine import make_engine
    from scheduler.store.schema import new_revision

    with tempfile.TemporaryDirectory(prefix="scheduler-revision-") as tmp:
        engine = make_engine(url or f"sqlite:///{tmp}/scratch.db")
        try:
            path = new_revision(engine, message)
        finally:
            engine.dispose()
    console.print(f"wrote {path}; review it, then run tests/unit_store/test_migrations.py")


@db_app.command("load")
def db_load(
    folder: Annotated[
        Path, typer.Argument(help="Data folder: entities.csv (or .xlsx), ratings, ...")
    ],
    url: UrlOption = None,
) -> None:
    """Validate a data folder and upsert it into the database in one transaction.

    Tables whose file is unchanged since the last load are not written again;
    a folder with no changed file is not read at all.
    """
    from scheduler.store.engine import init_db, make_engine
    from scheduler.store.versions import folder_fingerprints, unchanged_tables
    from scheduler.views.loading import load_folder_with_overview

    fingerprints = folder_fingerprints(folder) if folder.is_dir() else {}
    engine = make_engine(url)
    try:
        init_db(engine)
        unchanged = unchanged_tables(engine, fingerprints)
    finally:
        engine.dispose()
    if fingerprints and unchanged == set(TABLE_ORDER):
        console.print(
            f"{folder}: every file is the one of the last load into {_safe_url(url)}; "
            "nothing to write"
        )
        return
    with progress_bar() as bar:
        # rows are counted as they are validated and written; their total is known at the end
        loading = bar.add_task("validating and loading", total=None)

        def load_step(name: str, done: int, _total: int) -> None:
            bar.update(loading, completed=done, description=f"loading {name}")

        engine = make_engine(url)
        try:
            report = load_folder_with_overview(
                engine,
                folder,
                progress=load_step,
                actor=cli_actor(),
                fingerprints=fingerprints,
                skip=unchanged,
            )
        finally:
            engine.dispose()

    table = Table(title=f"loaded {folder} into {_safe_url(url)} in {report.seconds:.1f} s")
    table.add_column("table")
    table.add_column("名称")
    table.add_column("rows read", justify="right")
    table.add_column("new", justify="right")
    table.add_column("in database", justify="right")
    for name in TABLE_ORDER:
        table.add_row(
            name,
            TABLES[name].zh,
            f"{report.written[name]:,}",
            f"{report.inserted[name]:,}",
            f"{report.counts[name]:,}",
        )
    table.add_row("qualifications", "执法资格", f"{report.qualifications:,}", "", "")
    console.print(table)


@db_app.command("info")
def db_info(url: UrlOption = None) -> None:
    """Rows per table of the directory in the database."""
    from scheduler.store.engine import init_db, make_engine
    from scheduler.store.loader import row_counts

    engine = make_engine(url)
    try:
        init_db(engine)
        counts = row_counts(engine)
    finally:
        engine.dispose()
    table = Table(title=f"database {_safe_url(url)}")
    table.add_column("table")
    table.add_column("名称")
    table.add_column("rows", justify="right")
    for name in TABLE_ORDER:
        table.add_row(name, TABLES[name].zh, f"{counts[name]:,}")
    table.add_row("qualifications", "执法资格", f"{counts['qualifications']:,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``db`` sub-app to the main app."""
    app.add_typer(db_app, name="db")
