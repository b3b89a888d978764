"""Engine, schema and sessions. No engine exists at import time.

Any SQLAlchemy URL works (``SCHEDULER_DATABASE_URL``); the embedded SQLite file
is the default. Nothing here is SQLite-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, event
from sqlmodel import Session, create_engine

import scheduler.store.models  # noqa: F401  (registers every table)
from scheduler.settings import get_settings
from scheduler.store.models.core import AuditEvent

__all__ = [
    "make_engine",
    "init_db",
    "session_scope",
    "record_event",
    "insert_if_absent",
    "in_chunks",
    "IN_CHUNK",
]

IN_CHUNK = 10_000
"""Values per ``IN (...)`` list: PostgreSQL's protocol binds at most 65,535 parameters
per statement, SQLite at most 32,766."""

SQLITE_BUSY_SECONDS = 600
"""How long a SQLite writer waits for another's transaction (a large load takes minutes)."""

T = TypeVar("T")


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: the configured database)."""
    url = url or get_settings().database_url
    sqlite = url.startswith("sqlite")
    # writers queue on SQLite's lock instead of failing after the driver's 5 s
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS} if sqlite else {})
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def init_db(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent, safe to race).

    ``scheduler.store.schema.upgrade`` holds the database's write lock (SQLite ``BEGIN
    IMMEDIATE``, a PostgreSQL advisory lock) for the whole upgrade, so processes
    initialising an empty database at once take turns instead of colliding. A database
    already at the shipped head is left alone without importing Alembic
    (``scheduler.store.schema_head``).
    """
    from scheduler.store.schema_head import at_head

    if at_head(engine):
        return
    from scheduler.store.schema import upgrade

    upgrade(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed if the block succeeds, rolled back otherwise."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def record_event(
    session: Session,
    kind: str,
    subject: str = "",
    details: dict[str, Any] | None = None,
    actor: str = "system",
    *,
    digest: str = "",
) -> AuditEvent:
    """Append a hash-chained audit event inside the caller's transaction.

    ``digest`` is the SHA-256 of what the event records (``scheduler.store.record_digest``).
    """
    from scheduler.store.audit_chain import append_event

    return append_event(session, kind, subject, details, actor=actor, digest=digest)


def insert_if_absent(
    connection: Connection | Session, table: Table, values: dict[str, Any]
) -> None:
    """Insert a row unless its key is already there: the first writer wins, racers are no-ops.

    ``INSERT ... ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL, so that two
    processes storing the same derived record at once never meet an IntegrityError.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    bind = connection.get_bind() if isinstance(connection, Session) else connection
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    connection.execute(insert(table).values(**values).on_conflict_do_nothing())


def in_chunks(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``values`` in lists short enough for one ``column.in_(...)`` on every dialect."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk
