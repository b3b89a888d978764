"""Reading the append-only audit log (writing is ``scheduler.store.engine.record_event``).

The log answers a witness's or an auditor's question: who did what, when, to
which plan or draw. Reads are one Core ``SELECT`` into pandas, newest first,
bounded by ``limit`` so a long-lived database stays quick to browse.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from scheduler.store.models.core import AuditEvent

__all__ = ["read_events", "event_kinds", "AUDIT_COLUMNS"]

AUDIT_COLUMNS = ("id", "at", "actor", "kind", "subject", "details")


def read_events(
    engine: Engine,
    *,
    kinds: list[str] | None = None,
    subject: str | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """The latest ``limit`` events, newest first, optionally of some kinds or one subject.

    ``subject`` matches as a substring (a plan id, a draw id, an inspector id).
    """
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    query = select(*(table.c[c] for c in AUDIT_COLUMNS)).order_by(table.c.id.desc()).limit(limit)
    if kinds:
        query = query.where(table.c.kind.in_(kinds))
    if subject:
        query = query.where(table.c.subject.contains(subject, autoescape=True))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(AUDIT_COLUMNS))


def event_kinds(engine: Engine) -> dict[str, int]:
    """Every event kind in the log with its count, most frequent first."""
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    query = select(table.c.kind, func.count()).group_by(table.c.kind).order_by(func.count().desc())
    with engine.connect() as connection:
        return {str(kind): int(n) for kind, n in connection.execute(query).all()}
