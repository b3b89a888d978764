"""Database triggers that make the audit log append-only for every client, not only the ORM.

An ORM listener stops ``session.delete(event)`` but not a Core
``delete(AuditEvent)`` nor ``sqlite3``/``psql``. These triggers refuse UPDATE
and DELETE on ``auditevent`` (and TRUNCATE on PostgreSQL) inside the
database. Someone who can drop a trigger can still rewrite the table: the
hash chain (``scheduler.store.audit_chain``) and the published head make that
visible, see docs/security.md.

Installed when the table is created and, idempotently, by ``init_db`` for a
database created before the triggers existed.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

__all__ = ["install_audit_guards", "install_guards", "SQLITE_TRIGGERS", "POSTGRES_GUARD"]

MESSAGE = "the audit log is append-only"

SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS auditevent_no_{action.lower()} BEFORE {action} ON auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    for action in ("UPDATE", "DELETE")
)

POSTGRES_GUARD = (
    "CREATE OR REPLACE FUNCTION auditevent_refuse_change() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    "CREATE OR REPLACE TRIGGER auditevent_no_change BEFORE UPDATE OR DELETE ON auditevent "
    "FOR EACH ROW EXECUTE FUNCTION auditevent_refuse_change()",
    "CREATE OR REPLACE TRIGGER auditevent_no_truncate BEFORE TRUNCATE ON auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION auditevent_refuse_change()",
)


def _statements(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        return SQLITE_TRIGGERS
    if dialect == "postgresql":
        return POSTGRES_GUARD
    return ()


def install_guards(connection: Connection) -> None:
    """Install the triggers through ``connection`` (inside its transaction)."""
    if connection.dialect.name == "postgresql":
        # concurrent CREATE OR REPLACE of one function can collide: one at a time
        connection.execute(text("SELECT pg_advisory_xact_lock(74201)"))
    for statement in _statements(connection.dialect.name):
        connection.execute(text(statement))


def after_create(target: object, connection: Connection, **_: object) -> None:  # noqa: ARG001
    """``after_create`` listener of the audit table."""
    install_guards(connection)


def install_audit_guards(engine: Engine) -> None:
    """Install (or re-install) the triggers; safe to call any number of times."""
    with engine.begin() as connection:
        install_guards(connection)
