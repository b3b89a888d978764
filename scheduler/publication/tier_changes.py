"""Tier changes from findings, and their reports to the city credit platform.

Findings move an entity's tier with a department (``rules.next_tier``); each
change is written to the core ``Rating`` table (evaluated on the day it takes
effect, so the next draw sees it) and recorded as a ``TierChange`` whose report
is due within 7 working days. Functions only add and flush; the caller's
``session_scope`` commits all or nothing.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session, col, select

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.directory import Directory
from scheduler.data.reference import PUBLIC_DEPARTMENT, TierScheme
from scheduler.draw.tiers import effective_tiers
from scheduler.publication.rules import LifecycleRules, next_tier
from scheduler.store.engine import record_event
from scheduler.store.models.core import Inspection, Rating
from scheduler.store.models.publication import InspectionResult, TierChange

__all__ = ["current_tier", "change_tier", "apply_findings", "report_ratings"]


def current_tier(
    session: Session, uscc: str, department_code: str, *, on: date, scheme: TierScheme
) -> str:
    """The entity's tier with the department on ``on``, by the draw's own rule.

    Only this entity's ratings are read from the database; the resolution
    (department rating, else public, else the default) is ``tiers.effective_tiers``,
    so a tier change is based on the same tier the draw saw.
    """
    rows = session.exec(
        select(Rating).where(
            Rating.uscc == uscc,
            col(Rating.department_code).in_([department_code, PUBLIC_DEPARTMENT]),
        )
    ).all()
    ratings = pd.DataFrame(
        {
            "uscc": [r.uscc for r in rows],
            "department_code": [r.department_code for r in rows],
            "tier": [r.tier for r in rows],
            "evaluated_on": pd.to_datetime([r.evaluated_on for r in rows]),
            "valid_until": pd.to_datetime([r.valid_until for r in rows]),
        }
    )
    one = Directory.from_tables(
        {"entities": pd.DataFrame({"uscc": [uscc]}, dtype=object), "ratings": ratings}
    )
    return str(effective_tiers(one, department_code, on=on, scheme=scheme).iloc[0])


def change_tier(
    session: Session,
    uscc: str,
    department_code: str,
    before: str,
    after: str,
    cause: str,
    on: date,
    report_due: date,
    result_id: int | None = None,
    actor: str = "system",
) -> TierChange:
    """Set the tier from day ``on`` (a ``Rating`` row) and record the change with its audit event.

    A second change on the same day overwrites that day's rating (the natural
    key is uscc, department, evaluation day); both changes stay in the log.
    """
    rating = session.exec(
        select(Rating).where(
            Rating.uscc == uscc,
            Rating.department_code == department_code,
            Rating.evaluated_on == on,
        )
    ).first()
    if rating is None:
        session.add(Rating(uscc=uscc, department_code=department_code, tier=after, evaluated_on=on))
    else:
        rating.tier = after
    change = TierChange(
        uscc=uscc,
        department_code=department_code,
        from_tier=before,
        to_tier=after,
        cause=cause,
        result_id=result_id,
        effective_on=on,
        report_due=report_due,
    )
    session.add(change)
    session.flush()
    record_event(
        session,
        "tier.change",
        uscc,
        {
            "id": change.id,
            "department": department_code,
            "from": before,
            "to": after,
            "cause": cause,
            "effective_on": on.isoformat(),
            "report_due": report_due.isoformat(),
        },
        actor,
    )
    return change


def apply_findings(
    session: Session,
    results: list[InspectionResult],
    *,
    scheme: TierScheme,
    rules: LifecycleRules,
    calendar: WorkingCalendar,
    actor: str = "system",
) -> list[TierChange]:
    """Move tiers for the findings in ``results`` (in date order); returns the changes."""
    changes = []
    for result in sorted(results, key=lambda r: r.inspected_on):
        before = current_tier(
            session, result.uscc, result.department_code, on=result.inspected_on, scheme=scheme
        )
        earlier = session.exec(
            select(col(Inspection.inspected_on), col(Inspection.result_code)).where(
                Inspection.uscc == result.uscc,
                Inspection.department_code == result.department_code,
                Inspection.inspected_on < result.inspected_on,
            )
        ).all()
        repeated = rules.is_repeat(
            result.result_code, [(d, c) for d, c in earlier], result.inspected_on
        )
        after = next_tier(before, result.result_code, scheme, rules, repeated=repeated)
        if after != before:
            due = calendar.add_working_days(result.inspected_on, rules.rating_report_days)
            changes.append(
                change_tier(
                    session,
                    result.uscc,
                    result.department_code,
                    before,
                    after,
                    "finding",
                    result.inspected_on,
                    due,
                    result.id,
                    actor,
                )
            )
    return changes


def report_ratings(
    session: Session, *, on: date, ids: list[int] | None = None, actor: str = "system"
) -> int:
    """Mark tier changes (all pending, or ``ids``) as reported to the city platform on ``on``."""
    query = select(TierChange).where(
        col(TierChange.reported_on).is_(None), TierChange.effective_on <= on
    )
    if ids is not None:
        query = query.where(col(TierChange.id).in_(ids))
    rows = session.exec(query).all()
    for row in rows:
        row.reported_on = on
    record_event(
        session,
        "ratings.report",
        "",
        {"ids": [r.id for r in rows], "on": on.isoformat()},
        actor=actor,
    )
    return len(rows)
