"""The database schema's version: upgrade in place with Alembic, check models against migrations.

Tables used to be created with ``create_all`` and never changed, so the first
release that altered a table would have broken every existing database. Now
every schema is a numbered migration in ``scheduler/store/migrations/versions/``
(shipped inside the package), and :func:`upgrade` brings any database to the
newest one inside a transaction. A database made by the release before
migrations (tables but no ``alembic_version``) has the baseline schema, so it is
stamped ``0001`` and upgraded from there.

A new revision after changing the models::

    scheduler db revision -m "what changed"   # autogenerate against a fresh database
    # review scheduler/store/migrations/versions/000N_*.py,
    # then run tests/unit_store/test_migrations.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import SQLModel

import scheduler.store.models  # noqa: F401  (registers every table)

__all__ = [
    "BASELINE",
    "alembic_config",
    "current_revision",
    "head_revision",
    "model_differences",
    "new_revision",
    "upgrade",
]

BASELINE = "0001"
"""The schema of the last release without migrations (tables made by ``create_all``)."""

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration for the shipped migrations (no ``alembic.ini`` needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revision() -> str:
    """The newest revision shipped with this version."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's revision; ``None`` for an empty database or one made before migrations."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the database to ``revision`` (default: the newest) in place; returns the revision.

    Idempotent: a database already there is left alone, without taking the write
    lock or checking its keys (a whole-database scan: ~4 s at city size, paid by
    every new process). Tables without a recorded revision are taken to be the
    baseline (the pre-migration release's schema).
    """
    target = head_revision() if revision == "head" else revision
    found = current_revision(engine)
    if found is not None and found == target:
        return found
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # batch mode re-creates tables; keys are checked once at the end instead
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        _write_lock(connection)
        context = MigrationContext.configure(connection)
        before = context.get_current_revision()
        if before is None and _has_scheduler_tables(connection):
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.stamp(config, BASELINE)
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        migrated = MigrationContext.configure(connection).get_current_revision() != before
        # the whole-database check costs seconds at city size: only after a migration ran
        if sqlite and migrated and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("the migration left rows whose foreign keys do not resolve")
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    return current_revision(engine) or ""


def _write_lock(connection: Connection) -> None:
    """Hold the database's write lock for the rest of the transaction.

    Processes upgrading (or creating) one database at once take turns: SQLite
    ``BEGIN IMMEDIATE``, a PostgreSQL transaction-scoped advisory lock.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(74200)"))


def _has_scheduler_tables(connection: Connection) -> bool:
    existing = set(inspect(connection).get_table_names())
    return bool(existing & set(SQLModel.metadata.tables))


def model_differences(engine: Engine) -> list[Any]:
    """What the models have that the migrated database lacks (empty when they agree).

    ``engine`` should hold a database upgraded to the head revision; a model
    change without a migration shows up here and fails ``tests/unit_store/test_migrations.py``.
    """
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def new_revision(engine: Engine, message: str) -> Path:
    """Autogenerate the next revision by comparing the models with ``engine`` at the head."""
    upgrade(engine)
    config = alembic_config(engine)
    versions = MIGRATIONS / "versions"
    number = len([p for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py")]) + 1
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        script = command.revision(
            config, message=message, autogenerate=True, rev_id=f"{number:04d}"
        )
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
