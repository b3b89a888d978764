"""The audit log as a hash chain: appending one event, hashing it, reading the head.

Each event's ``hash`` is SHA-256 of the canonical JSON of the event (``seq``,
``at``, ``actor``, ``kind``, ``subject``, ``details``, ``digest``) together
with ``prev_hash``, the previous event's hash. Changing, removing or inserting
any event changes every later hash, so once a head has been published (it is
printed with every public list) nobody can rewrite what came before it
unnoticed. ``digest`` ties an event to what it records (see
``scheduler.store.record_digest``).

Appends are serialised: ``append_event`` first updates the one row of
``AuditHead`` (a row lock on PostgreSQL, the write lock on SQLite), so the
head it reads is the latest and concurrent transactions queue instead of
forking the chain; ``seq`` and ``prev_hash`` are unique as a second guard.
The same lock serves any transaction that must run alone
(``lock_for_write``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlmodel import Session

from scheduler.store.models.core import AuditEvent, AuditHead

__all__ = [
    "GENESIS",
    "ChainHead",
    "append_event",
    "event_hash",
    "stored_event_hash",
    "canonical_time",
    "chain_head",
    "lock_for_write",
    "backfill_chain",
]

GENESIS = "0" * 64
"""The ``prev_hash`` of the first event."""

HEAD = AuditHead.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ChainHead:
    """The last event's position and hash: the anchor the public keeps."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"audit chain head: event {self.seq}, SHA-256 {self.hash}"


def canonical_time(at: datetime) -> str:
    """UTC, microseconds, no offset: the same text before storing and after reading back."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    kind: str,
    subject: str,
    details: dict[str, Any],
    digest: str,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the event's canonical JSON, including the previous hash."""
    body = {
        "seq": seq,
        "at": canonical_time(at),
        "actor": actor,
        "kind": kind,
        "subject": subject,
        "details": details,
        "digest": digest,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_canonical(body)).hexdigest()


def _dialect_insert(connection: Connection) -> Any:
    """The dialect's ``insert`` (both have ``on_conflict_do_nothing``)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert


def _start_head(connection: Connection) -> None:
    """Create the head row (from the last chained event, if any); a no-op if it exists."""
    events = AuditEvent.__table__  # type: ignore[attr-defined]
    last = connection.execute(
        select(events.c.seq, events.c.hash)
        .where(events.c.seq.is_not(None))
        .order_by(events.c.seq.desc())
        .limit(1)
    ).first()
    seq, digest = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    insert = _dialect_insert(connection)
    connection.execute(
        insert(HEAD)
        .values(id=1, seq=seq, hash=digest)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def lock_for_write(session: Session) -> ChainHead:
    """Take the chain's lock for the rest of the transaction; returns the current head.

    Call it first in a transaction that must not interleave with another
    writer (an append, a first load into an empty database).
    """
    connection = session.connection()
    touch = update(HEAD).where(HEAD.c.id == 1).values(seq=HEAD.c.seq)
    if connection.execute(touch).rowcount == 0:
        _start_head(connection)
        connection.execute(touch)
    seq, digest = connection.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)).one()
    return ChainHead(int(seq), str(digest))


def _plain_json(details: dict[str, Any] | None) -> dict[str, Any]:
    """``details`` as they read back from a JSON column (string keys, lists not tuples)."""
    plain: dict[str, Any] = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    return plain


def append_event(
    session: Session,
    kind: str,
    subject: str,
    details: dict[str, Any] | None,
    *,
    actor: str,
    digest: str = "",
) -> AuditEvent:
    """Append one chained event inside the caller's transaction (which it then holds locked)."""
    head = lock_for_write(session)
    seq = head.seq + 1
    at = datetime.now(UTC)
    plain = _plain_json(details)
    new_hash = event_hash(
        seq=seq,
        at=at,
        actor=actor,
        kind=kind,
        subject=subject,
        details=plain,
        digest=digest,
        prev_hash=head.hash,
    )
    row = AuditEvent(
        at=at,
        actor=actor,
        kind=kind,
        subject=subject,
        details=plain,
        seq=seq,
        prev_hash=head.hash,
        hash=new_hash,
        digest=digest,
    )
    session.add(row)
    session.flush()
    session.connection().execute(update(HEAD).where(HEAD.c.id == 1).values(seq=seq, hash=new_hash))
    return row


def chain_head(engine: Engine) -> ChainHead:
    """The head as the last chained event says (genesis for an empty log)."""
    events = AuditEvent.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        last = connection.execute(
            select(events.c.seq, events.c.hash)
            .where(events.c.seq.is_not(None))
            .order_by(events.c.seq.desc())
            .limit(1)
        ).first()
    return ChainHead(int(last[0]), str(last[1])) if last else ChainHead(0, GENESIS)


def stored_event_hash(row: Mapping[Any, Any], *, seq: int, prev_hash: str) -> str:
    """``event_hash`` of an audit row as read from the table, at chain position ``seq``."""
    return event_hash(
        seq=seq,
        at=row["at"],
        actor=row["actor"],
        kind=row["kind"],
        subject=row["subject"],
        details=row["details"],
        digest=row["digest"] or "",
        prev_hash=prev_hash,
    )


def backfill_chain(connection: Connection) -> int:
    """Chain the events recorded before the chain existed, in ``id`` order; returns how many.

    For the schema migration only: it UPDATEs audit rows, so it must run
    before the append-only triggers are installed (``scheduler.store.audit_guard``).
    Events already chained are left alone; unchained ones are appended after them.
    """
    events = AuditEvent.__table__  # type: ignore[attr-defined]
    last = connection.execute(
        select(events.c.seq, events.c.hash)
        .where(events.c.seq.is_not(None))
        .order_by(events.c.seq.desc())
        .limit(1)
    ).first()
    head = ChainHead(int(last[0]), str(last[1])) if last else ChainHead(0, GENESIS)
    rows = connection.execute(
        select(events).where(events.c.seq.is_(None)).order_by(events.c.id)
    ).mappings()
    count = 0
    for row in rows.all():
        seq = head.seq + 1
        new_hash = stored_event_hash(row, seq=seq, prev_hash=head.hash)
        connection.execute(
            update(events)
            .where(events.c.id == row["id"])
            .values(seq=seq, prev_hash=head.hash, hash=new_hash, digest=row["digest"] or "")
        )
        head = ChainHead(seq, new_hash)
        count += 1
    _start_head(connection)
    connection.execute(update(HEAD).where(HEAD.c.id == 1).values(seq=head.seq, hash=head.hash))
    return count
