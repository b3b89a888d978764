"""``audit verify``: walk the hash chain and check every recorded draw and run against it.

Three passes, each naming what it finds broken, in this order:

1. the chain: every event is chained (``seq``, ``prev_hash``, ``hash``),
   ``seq`` runs 1, 2, 3, ... without gaps, each ``prev_hash`` is the previous
   event's ``hash``, each ``hash`` recomputes from the event, and the last
   event is the head ``AuditHead`` remembers (a removed last event shows);
2. the records: each stored draw, its substitutions and each assignment run
   hash to the digest of the latest event that recorded them, and every such
   event's subject still exists (a deleted, re-made or edited draw shows); one
   walk (``_check``) over the kinds of ``RECORDS``;
3. per-draw checks passed in ``draw_checks`` (``DrawCheck``: engine and
   draw id in, a problem sentence or ``None`` out), so a check that
   re-derives a draw from its stored frame plugs in without changing this walk.

The first problem is the first broken link; the report keeps them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from scheduler.store.audit_chain import GENESIS, ChainHead, stored_event_hash
from scheduler.store.models.assignments import AssignmentRun
from scheduler.store.models.core import AuditEvent, AuditHead
from scheduler.store.models.plans import Draw, Substitution
from scheduler.store.record_digest import draw_digest, run_digest, substitutions_digest

__all__ = ["AuditReport", "DrawCheck", "DRAW_CHECKS", "verify_audit"]

DrawCheck = Callable[[Engine, str], "str | None"]
"""A further check of one recorded draw: a problem sentence, or ``None`` when it holds."""

DRAW_CHECKS: tuple[DrawCheck, ...] = ()
"""Checks run for every recorded draw by default (e.g. re-deriving it from its frame)."""

DRAW_KINDS = ("draw.created", "draw.redrawn")
SUBSTITUTION_KINDS = ("draw.substituted",)
RUN_KINDS = ("assignment.run", "assignment.redone", "assignment.swap")

EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_DRAWS = Draw.__table__  # type: ignore[attr-defined]
_SUBSTITUTIONS = Substitution.__table__  # type: ignore[attr-defined]
_RUNS = AssignmentRun.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AuditReport:
    """What ``verify_audit`` checked and every problem it found (first = first broken link)."""

    events: int
    draws: int
    runs: int
    head: ChainHead
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Latest:
    """Per subject, the latest event that recorded it: ``(seq, digest)``."""

    draws: dict[str, tuple[int, str]] = field(default_factory=dict)
    substitutions: dict[str, tuple[int, str]] = field(default_factory=dict)
    runs: dict[int, tuple[int, str]] = field(default_factory=dict)


def run_id_of(subject: str) -> int | None:
    """``run:12`` or ``run:12/<uscc>`` -> 12 (a swap in a file plan has no run)."""
    if not subject.startswith("run:"):
        return None
    text = subject[4:].split("/", 1)[0]
    return int(text) if text.isdigit() else None


def _walk_chain(connection: Connection, latest: _Latest) -> tuple[list[str], int, ChainHead]:
    problems: list[str] = []
    query = select(EVENTS).order_by(EVENTS.c.seq.is_(None), EVENTS.c.seq, EVENTS.c.id)
    previous = ChainHead(0, GENESIS)
    count = 0
    for row in connection.execute(query).mappings():
        count += 1
        label = f"event {row['seq']} ({row['kind']} {row['subject']}, id {row['id']})"
        if row["seq"] is None or row["hash"] is None:
            problems.append(f"event id {row['id']} ({row['kind']}) is not chained: no hash")
            continue
        seq = int(row["seq"])
        if seq != previous.seq + 1:
            problems.append(
                f"{label}: follows event {previous.seq}; events {previous.seq + 1}..{seq - 1} "
                "are missing"
            )
        elif row["prev_hash"] != previous.hash:
            problems.append(f"{label}: prev_hash is not the hash of event {previous.seq}")
        recomputed = stored_event_hash(row, seq=seq, prev_hash=row["prev_hash"] or "")
        if recomputed != row["hash"]:
            problems.append(f"{label}: changed after it was recorded (its hash does not match)")
        previous = ChainHead(seq, str(row["hash"]))
        _note(latest, row, seq)
    head_table = AuditHead.__table__  # type: ignore[attr-defined]
    stored = connection.execute(select(head_table.c.seq, head_table.c.hash)).first()
    if stored is not None and (int(stored[0]), str(stored[1])) != (previous.seq, previous.hash):
        problems.append(
            f"the chain ends at event {previous.seq} but its head records event {stored[0]}: "
            "the last events were removed or the head was rewritten"
        )
    return problems, count, previous


def _note(latest: _Latest, row: object, seq: int) -> None:
    kind, subject, digest = row["kind"], row["subject"], row["digest"] or ""  # type: ignore[index]
    if kind in DRAW_KINDS:
        latest.draws[subject] = (seq, digest)
    elif kind in SUBSTITUTION_KINDS:
        latest.substitutions[subject] = (seq, digest)
    elif kind in RUN_KINDS and (run := run_id_of(subject)) is not None:
        latest.runs[run] = (seq, digest)


@dataclass(frozen=True)
class _Records:
    """One kind of audited record: how to list and digest it, and how to word its problems.

    Each sentence is formatted with ``key`` (the record) and ``seq`` (the event).
    ``unstored`` is ``None`` when an event may record that nothing is left (the
    digest of no rows is then compared like any other).
    """

    stored: Callable[[Connection], list[Any]]
    digest: Callable[[Connection, Any], str | None]
    unaudited: str
    changed: str
    unstored: str | None


RECORDS: dict[str, _Records] = {
    "draws": _Records(
        stored=lambda c: [str(d) for d in c.execute(select(_DRAWS.c.draw_id)).scalars()],
        digest=draw_digest,
        unaudited="draw {key} has no audit event: recorded outside the application",
        changed="draw {key}: the stored draw (seed, time, selection or receipt) differs "
        "from what event {seq} recorded",
        unstored="event {seq} recorded draw {key}, which is no longer stored",
    ),
    "substitutions": _Records(
        stored=lambda c: sorted(c.execute(select(_SUBSTITUTIONS.c.draw_id).distinct()).scalars()),
        digest=substitutions_digest,
        unaudited="draw {key}: substitutions without an audit event",
        changed="draw {key}: the stored substitutions differ from what event {seq} recorded",
        unstored=None,
    ),
    "runs": _Records(
        stored=lambda c: [int(r) for r in c.execute(select(_RUNS.c.id)).scalars()],
        digest=run_digest,
        unaudited="assignment run {key} has no audit event",
        changed="assignment run {key}: the stored rows differ from what event {seq} recorded",
        unstored="event {seq} recorded assignment run {key}, which is not stored",
    ),
}


def _check(
    connection: Connection, records: _Records, latest: dict[Any, tuple[int, str]]
) -> tuple[list[str], list[Any]]:
    """Every stored record against its latest event, then every event whose record is gone."""
    problems: list[str] = []
    keys = records.stored(connection)
    stored = set(keys)
    for key in [*keys, *(k for k in latest if k not in stored)]:
        recorded = latest.get(key)
        if recorded is None:
            problems.append(records.unaudited.format(key=key))
        elif key not in stored and records.unstored is not None:
            problems.append(records.unstored.format(key=key, seq=recorded[0]))
        elif records.digest(connection, key) != recorded[1]:
            problems.append(records.changed.format(key=key, seq=recorded[0]))
    return problems, keys


def _check_records(
    connection: Connection, latest: _Latest
) -> tuple[list[str], list[str], list[int]]:
    found = {name: _check(connection, RECORDS[name], getattr(latest, name)) for name in RECORDS}
    problems = [p for name in RECORDS for p in found[name][0]]
    return problems, found["draws"][1], found["runs"][1]


def _extra_checks(
    engine: Engine, draw_ids: Iterable[str], checks: Sequence[DrawCheck]
) -> list[str]:
    problems = []
    for draw_id in draw_ids:
        for check in checks:
            problem = check(engine, draw_id)
            if problem:
                problems.append(f"draw {draw_id}: {problem}")
    return problems


def verify_audit(engine: Engine, *, draw_checks: Sequence[DrawCheck] = DRAW_CHECKS) -> AuditReport:
    """Check the chain, then every recorded draw and run, then ``draw_checks`` per draw."""
    latest = _Latest()
    with engine.connect() as connection:
        chain_problems, count, head = _walk_chain(connection, latest)
        record_problems, draw_ids, run_ids = _check_records(connection, latest)
    problems = chain_problems + record_problems + _extra_checks(engine, draw_ids, draw_checks)
    return AuditReport(count, len(draw_ids), len(run_ids), head, tuple(problems))
