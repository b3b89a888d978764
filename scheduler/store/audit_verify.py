"""``audit verify``: walk the hash chain and check every recorded draw and run against it.

Three passes, each naming what it finds broken, in this order:

1. the chain: every event is chained (``seq``, ``prev_hash``, ``hash``),
   ``seq`` runs 1, 2, 3, ... without gaps, each ``prev_hash`` is the previous
   event's ``hash``, each ``hash`` recomputes from the event, and the last
   event is the head ``AuditHead`` remembers (a removed last event shows);
2. the records: each stored draw, its substitutions and each assignment run
   hash to the digest of the latest event that recorded them, and every such
   event's subject still exists (a deleted, re-made or edited draw shows);
3. per-draw checks passed in ``draw_checks`` (``DrawCheck``: engine and
   draw id in, a problem sentence or ``None`` out), so a check that
   re-derives a draw from its stored frame plugs in without changing this walk.

The first problem is the first broken link; the report keeps them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

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


def _check_records(
    connection: Connection, latest: _Latest
) -> tuple[list[str], list[str], list[int]]:
    problems: list[str] = []
    draws_table = Draw.__table__  # type: ignore[attr-defined]
    draw_ids = [str(d) for d in connection.execute(select(draws_table.c.draw_id)).scalars()]
    for draw_id in draw_ids:
        recorded = latest.draws.get(draw_id)
        if recorded is None:
            problems.append(f"draw {draw_id} has no audit event: recorded outside the application")
        elif draw_digest(connection, draw_id) != recorded[1]:
            problems.append(
                f"draw {draw_id}: the stored draw (seed, time, selection or receipt) differs "
                f"from what event {recorded[0]} recorded"
            )
    stored_draws = set(draw_ids)
    for draw_id, (seq, _) in latest.draws.items():
        if draw_id not in stored_draws:
            problems.append(f"event {seq} recorded draw {draw_id}, which is no longer stored")
    substituted = set(
        connection.execute(select(Substitution.__table__.c.draw_id).distinct()).scalars()  # type: ignore[attr-defined]
    )
    for draw_id in sorted(substituted | set(latest.substitutions)):
        recorded = latest.substitutions.get(draw_id)
        if recorded is None:
            problems.append(f"draw {draw_id}: substitutions without an audit event")
        elif substitutions_digest(connection, draw_id) != recorded[1]:
            problems.append(
                f"draw {draw_id}: the stored substitutions differ from what event "
                f"{recorded[0]} recorded"
            )
    runs_table = AssignmentRun.__table__  # type: ignore[attr-defined]
    run_ids = [int(r) for r in connection.execute(select(runs_table.c.id)).scalars()]
    for run_id in run_ids:
        recorded = latest.runs.get(run_id)
        if recorded is None:
            problems.append(f"assignment run {run_id} has no audit event")
        elif run_digest(connection, run_id) != recorded[1]:
            problems.append(
                f"assignment run {run_id}: the stored rows differ from what event "
                f"{recorded[0]} recorded"
            )
    stored_runs = set(run_ids)
    for run_id, (seq, _) in latest.runs.items():
        if run_id not in stored_runs:
            problems.append(f"event {seq} recorded assignment run {run_id}, which is not stored")
    return problems, draw_ids, run_ids


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
