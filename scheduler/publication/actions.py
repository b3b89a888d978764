"""The credit-lifecycle user actions, one transaction each, shared by the CLI and the dashboard.

``lifecycle`` holds the steps (each works in a caller's session); here each user
action opens its own transaction, runs its steps in the order the protocol
requires (results recorded, then their findings applied to tiers) and returns
plain values, so no front end assembles a protocol or holds a session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import select

from scheduler.data.calendar import WorkingCalendar
from scheduler.publication.commitment_findings import BREACH_COLUMN
from scheduler.store.engine import session_scope

__all__ = [
    "RecordedResults",
    "DecidedObjection",
    "record_results",
    "deadlines_on",
    "mark_published",
    "report_ratings",
    "file_objection",
    "decide_objection",
    "apply_repair",
    "complete_repair",
    "report_repair",
]


@dataclass(frozen=True)
class RecordedResults:
    results: int
    tier_changes: int
    first_publication_due: date | None
    commitments_broken: int = 0


@dataclass(frozen=True)
class DecidedObjection:
    objection_id: int
    upheld: bool
    late: bool
    corrected_tier: str | None
    flagged_draws: tuple[str, ...]


def record_results(
    engine: Engine,
    frame: pd.DataFrame,
    *,
    calendar: WorkingCalendar,
    rules: Any,
    scheme: Any,
    source: str,
    actor: str,
) -> RecordedResults:
    """Record results with their publication deadlines and move tiers by their findings."""
    from scheduler.publication.results import import_results
    from scheduler.publication.tier_changes import apply_findings

    with session_scope(engine) as session:
        rows = import_results(
            session,
            frame,
            calendar=calendar,
            rules=rules,
            source=source,
            actor=actor,
            scheme_name=scheme.name,
        )
        changes = apply_findings(
            session, rows, scheme=scheme, rules=rules, calendar=calendar, actor=actor
        )
        due = min((r.publication_due for r in rows), default=None)
        broken = int((frame.get(BREACH_COLUMN, pd.Series(dtype=str)).fillna("") != "").sum())
        return RecordedResults(len(rows), len(changes), due, broken)


def commitments_checked_by(engine: Engine, draw_id: str) -> dict[str, list[str]]:
    """The pending commitment items a draw's 承诺核查 visits check, by USCC."""
    from scheduler.publication.commitment_findings import checked_commitments

    with session_scope(engine) as session:
        return checked_commitments(session, draw_id)


def deadlines_on(engine: Engine, on: date, calendar: WorkingCalendar) -> list[Any]:
    """Every deadline (``deadlines.Deadline``) and its status on ``on``."""
    from scheduler.publication.deadlines import all_deadlines

    with session_scope(engine) as session:
        return all_deadlines(session, on=on, calendar=calendar)


def mark_published(engine: Engine, result_ids: Iterable[int], *, on: date, actor: str) -> int:
    """Mark results as published on ``on``; returns how many changed."""
    from scheduler.publication.results import mark_published as mark

    with session_scope(engine) as session:
        return mark(session, result_ids, on=on, actor=actor)


def report_ratings(engine: Engine, *, on: date, actor: str) -> int:
    """Mark every pending tier change as reported to the city credit platform."""
    from scheduler.publication.tier_changes import report_ratings as mark

    with session_scope(engine) as session:
        return mark(session, on=on, actor=actor)


def file_objection(engine: Engine, **fields: Any) -> tuple[int, date]:
    """File an objection (``objections.file_objection`` fields); ``(id, decide by)``."""
    from scheduler.publication.objections import file_objection as file

    with session_scope(engine) as session:
        objection = file(session, **fields)
        return int(objection.id or 0), objection.due_on


def decide_objection(engine: Engine, objection_id: int, **fields: Any) -> DecidedObjection:
    """Decide an objection (``objections.decide_objection`` fields) and name the flagged draws."""
    from scheduler.publication.objections import decide_objection as decide
    from scheduler.store.models.publication import ObjectionDraw

    with session_scope(engine) as session:
        o = decide(session, objection_id, **fields)
        flagged = session.exec(
            select(ObjectionDraw.draw_id).where(ObjectionDraw.objection_id == objection_id)
        ).all()
        late = o.decided_on is not None and o.decided_on > o.due_on
        return DecidedObjection(
            objection_id, bool(fields.get("upheld")), late, o.corrected_tier, tuple(flagged)
        )


def apply_repair(engine: Engine, **fields: Any) -> int:
    """Record an application for credit repair (``repairs.apply_repair`` fields); its id."""
    from scheduler.publication.repairs import apply_repair as apply

    with session_scope(engine) as session:
        return int(apply(session, **fields).id or 0)


def complete_repair(engine: Engine, repair_id: int, **fields: Any) -> tuple[str, date | None]:
    """Complete a repair; ``(restored tier, report due)``."""
    from scheduler.publication.repairs import complete_repair as complete

    with session_scope(engine) as session:
        r = complete(session, repair_id, **fields)
        return r.restored_tier, r.report_due


def report_repair(engine: Engine, repair_id: int, *, on: date, actor: str) -> bool:
    """Mark a completed repair as reported; ``True`` when it was reported late."""
    from scheduler.publication.repairs import report_repair as report

    with session_scope(engine) as session:
        r = report(session, repair_id, on=on, actor=actor)
        return (
            r.report_due is not None and r.reported_on is not None and r.reported_on > r.report_due
        )
