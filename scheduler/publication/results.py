"""Inspection results: recording them, their publication deadline, and the tracker.

企业信息公示暂行条例: a result is published within 20 working days after the
inspection ends. The deadline is computed once, when the result is recorded,
with the working-day calendar (statutory holidays and make-up working
weekends), and stored on the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session, col, select

from scheduler.data.calendar import WorkingCalendar
from scheduler.errors import InvalidInputError, NotFoundError, Problem
from scheduler.publication.rules import LifecycleRules
from scheduler.store.engine import in_chunks, record_event
from scheduler.store.models.core import Entity, Inspection
from scheduler.store.models.publication import InspectionResult

__all__ = [
    "Deadline",
    "status_of",
    "import_results",
    "mark_published",
    "publication_tracker",
    "pending_frame",
    "results_frame",
]


@dataclass(frozen=True)
class Deadline:
    """One act owed by a deadline: what, about whom, due when, done when."""

    kind: str
    """``publish_result``, ``report_rating``, ``decide_objection`` or ``report_repair``."""
    ref: int
    uscc: str
    department_code: str
    since: date
    due_on: date
    done_on: date | None
    status: str
    """``due``, ``overdue``, ``done`` or ``late`` (done after the deadline)."""
    working_days_left: int


def status_of(
    due_on: date, done_on: date | None, on: date, calendar: WorkingCalendar
) -> tuple[str, int]:
    """(status, working days left) of a deadline on day ``on``."""
    if done_on is not None:
        return ("done" if done_on <= due_on else "late"), 0
    if on > due_on:
        return "overdue", -calendar.working_days_between(due_on, on)
    return "due", calendar.working_days_between(on, due_on)


def import_results(
    session: Session,
    results: pd.DataFrame,
    *,
    calendar: WorkingCalendar,
    rules: LifecycleRules | None = None,
    source: str = "results",
    actor: str = "system",
    scheme_name: str | None = None,
) -> list[InspectionResult]:
    """Record results (``read_results`` frame) with their publication deadline.

    Also appends them to the inspection history (``Inspection``) so that repeat
    control sees them. An existing result for the same (uscc, department,
    date) is an error: corrections go through an objection. A row whose
    ``commitment_breach`` says 不实承诺 or 未履约 marks the commitment its
    承诺核查 visit checked broken (``commitment_findings``; the lifecycle rule of
    ``rules`` with ``scheme_name``'s tiers). Rows are only flushed; the caller's
    transaction commits all or nothing.
    """
    from scheduler.publication.commitment_findings import check_breaches
    from scheduler.publication.commitments import mark_broken

    rules = rules or LifecycleRules()
    problems: list[Problem] = []
    usccs = set(results["uscc"])
    known: set[str] = set()
    for chunk in in_chunks(sorted(usccs)):  # bounded IN lists (PostgreSQL: 65,535 parameters)
        known.update(session.exec(select(Entity.uscc).where(col(Entity.uscc).in_(chunk))).all())
    rows: list[InspectionResult] = []
    records = list(enumerate(results.itertuples(index=False), start=2))
    for position, record in records:
        if record.uscc not in known:
            problems.append(
                Problem(source, position, "uscc", f"no entity {record.uscc} in the database")
            )
            continue
        day = pd.Timestamp(record.inspected_on).date()
        existing = session.exec(
            select(InspectionResult).where(
                InspectionResult.uscc == record.uscc,
                InspectionResult.department_code == record.department_code,
                InspectionResult.inspected_on == day,
            )
        ).first()
        if existing is not None:
            problems.append(
                Problem(
                    source,
                    position,
                    "inspected_on",
                    f"a result for {record.uscc} on {day} is already recorded",
                )
            )
            continue
        rows.append(
            InspectionResult(
                draw_id=str(getattr(record, "draw_id", "") or ""),
                uscc=record.uscc,
                department_code=record.department_code,
                inspected_on=day,
                result_code=record.result_code,
                notes=str(getattr(record, "notes", "") or ""),
                publication_due=calendar.add_working_days(day, rules.publication_days),
            )
        )
    breaches, found = check_breaches(session, records, source)
    problems += found
    if problems:
        raise InvalidInputError(problems=sorted(problems, key=lambda p: p.row or 0))
    for row in rows:
        session.add(row)
        history = session.exec(
            select(Inspection).where(
                Inspection.uscc == row.uscc,
                Inspection.department_code == row.department_code,
                Inspection.inspected_on == row.inspected_on,
            )
        ).first()
        if history is None:
            session.add(
                Inspection(
                    uscc=row.uscc,
                    department_code=row.department_code,
                    inspected_on=row.inspected_on,
                    result_code=row.result_code,
                )
            )
        elif not history.result_code:
            history.result_code = row.result_code
    session.flush()
    record_event(
        session,
        "results.import",
        source,
        {"count": len(rows), "ids": [r.id for r in rows]},
        actor=actor,
    )
    for breach in breaches:  # after the results: the same transaction, audited in order
        mark_broken(
            session,
            uscc=breach.uscc,
            department_code=breach.department_code,
            item=breach.item,
            kind=breach.kind,
            on=breach.on,
            rules=rules,
            scheme_name=scheme_name,
            actor=actor,
            commitment_id=breach.commitment_id,
            draw_id=breach.draw_id,
        )
    return rows


def mark_published(session: Session, ids: Iterable[int], *, on: date, actor: str = "system") -> int:
    """Mark results as published on ``on``; returns how many changed."""
    ids = list(ids)
    rows = [
        row
        for chunk in in_chunks(ids)
        for row in session.exec(
            select(InspectionResult).where(col(InspectionResult.id).in_(chunk))
        ).all()
    ]
    missing = set(ids) - {r.id for r in rows}
    if missing:
        raise NotFoundError(f"no result with id {', '.join(map(str, sorted(missing)))}")
    changed = [r for r in rows if r.published_on is None]
    for row in changed:
        row.published_on = on
    record_event(
        session,
        "results.publish",
        "",
        {"ids": [r.id for r in changed], "on": on.isoformat()},
        actor=actor,
    )
    return len(changed)


def publication_tracker(session: Session, *, on: date, calendar: WorkingCalendar) -> list[Deadline]:
    """Every result's publication deadline with its status on ``on``."""
    out = []
    for row in session.exec(
        select(InspectionResult).order_by(col(InspectionResult.publication_due))
    ).all():
        status, left = status_of(row.publication_due, row.published_on, on, calendar)
        out.append(
            Deadline(
                "publish_result",
                row.id or 0,
                row.uscc,
                row.department_code,
                row.inspected_on,
                row.publication_due,
                row.published_on,
                status,
                left,
            )
        )
    return out


RESULT_COLUMNS = ("uscc", "department_code", "inspected_on", "result_code", "draw_id", "notes")


def results_frame(rows: Sequence[InspectionResult]) -> pd.DataFrame:
    """Stored results as a ``read_results``-shaped frame."""
    return pd.DataFrame(
        [
            {
                "uscc": r.uscc,
                "department_code": r.department_code,
                "inspected_on": pd.Timestamp(r.inspected_on),
                "result_code": r.result_code,
                "draw_id": r.draw_id,
                "notes": r.notes,
            }
            for r in rows
        ],
        columns=list(RESULT_COLUMNS),
    )


def pending_frame(
    session: Session, *, draw_id: str | None = None
) -> tuple[pd.DataFrame, list[int]]:
    """Unpublished results as a ``read_results``-shaped frame, and their ids."""
    query = select(InspectionResult).where(col(InspectionResult.published_on).is_(None))
    if draw_id is not None:
        query = query.where(InspectionResult.draw_id == draw_id)
    rows = session.exec(query).all()
    frame = results_frame(rows)
    return frame, [r.id for r in rows if r.id is not None]
