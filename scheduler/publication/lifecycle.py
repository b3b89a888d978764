"""The credit lifecycle around an inspection, each step with its deadline and audit event.

* findings move an entity's tier with a department (``rules.next_tier``); each
  change is reported to the city credit platform within 7 working days;
* an objection (异议) is decided within 5 working days; an upheld one corrects
  the rating (and optionally the result) and flags the draws that used the
  wrong tier;
* credit repair (信用修复) is possible after the minimum publicity period; the
  completed repair restores the tier held before the downgrade and is
  reported within 2 working days.

A tier change is also written to the core ``Rating`` table (evaluated on the
day it takes effect), so the next draw sees it. Functions only add and flush;
the caller's ``session_scope`` commits all or nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from scheduler.calendar import WorkingCalendar
from scheduler.db import record_event
from scheduler.errors import InvalidInputError, NotFoundError
from scheduler.models.core import Inspection, Rating
from scheduler.models.publication import (
    CreditRepair,
    InspectionResult,
    Objection,
    ObjectionDraw,
    TierChange,
)
from scheduler.publication.draw_links import draws_with_entity
from scheduler.publication.rules import LifecycleRules, next_tier
from scheduler.reference import PUBLIC_DEPARTMENT, TierScheme

__all__ = [
    "current_tier",
    "apply_findings",
    "report_ratings",
    "file_objection",
    "decide_objection",
    "apply_repair",
    "complete_repair",
    "report_repair",
]


def current_tier(
    session: Session, uscc: str, department_code: str, *, on: date, scheme: TierScheme
) -> str:
    """The department's latest valid rating, else the public one, else the scheme default."""
    for source in (department_code, PUBLIC_DEPARTMENT):
        rating = session.exec(
            select(Rating)
            .where(Rating.uscc == uscc, Rating.department_code == source, Rating.evaluated_on <= on)
            .where((col(Rating.valid_until).is_(None)) | (col(Rating.valid_until) >= on))
            .order_by(col(Rating.evaluated_on).desc())
        ).first()
        if rating is not None:
            return rating.tier
    return scheme.default_tier


def _change(
    session: Session,
    uscc: str,
    department_code: str,
    before: str,
    after: str,
    cause: str,
    on: date,
    report_due: date,
    result_id: int | None = None,
) -> TierChange:
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
    )
    return change


def apply_findings(
    session: Session,
    results: list[InspectionResult],
    *,
    scheme: TierScheme,
    rules: LifecycleRules,
    calendar: WorkingCalendar,
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
                _change(
                    session,
                    result.uscc,
                    result.department_code,
                    before,
                    after,
                    "finding",
                    result.inspected_on,
                    due,
                    result.id,
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


def file_objection(
    session: Session,
    *,
    uscc: str,
    department_code: str,
    filed_on: date,
    reason: str = "",
    tier_change_id: int | None = None,
    result_id: int | None = None,
    calendar: WorkingCalendar,
    rules: LifecycleRules,
    actor: str = "system",
) -> Objection:
    """Record an objection; by default against the entity's latest tier change there."""
    if tier_change_id is None and result_id is None:
        latest = session.exec(
            select(TierChange)
            .where(TierChange.uscc == uscc, TierChange.department_code == department_code)
            .order_by(col(TierChange.effective_on).desc(), col(TierChange.id).desc())
        ).first()
        if latest is None:
            raise NotFoundError(f"{uscc} has no rating change with {department_code} to object to")
        tier_change_id = latest.id
    if tier_change_id is not None and session.get(TierChange, tier_change_id) is None:
        raise NotFoundError(f"no tier change with id {tier_change_id}")
    if result_id is not None and session.get(InspectionResult, result_id) is None:
        raise NotFoundError(f"no result with id {result_id}")
    objection = Objection(
        uscc=uscc,
        department_code=department_code,
        tier_change_id=tier_change_id,
        result_id=result_id,
        filed_on=filed_on,
        reason=reason,
        due_on=calendar.add_working_days(filed_on, rules.objection_days),
    )
    session.add(objection)
    session.flush()
    record_event(
        session,
        "objection.file",
        uscc,
        {
            "id": objection.id,
            "due_on": objection.due_on.isoformat(),
            "tier_change_id": tier_change_id,
            "result_id": result_id,
        },
        actor=actor,
    )
    return objection


def decide_objection(
    session: Session,
    objection_id: int,
    *,
    decided_on: date,
    upheld: bool,
    corrected_tier: str | None = None,
    corrected_result_code: str | None = None,
    note: str = "",
    scheme: TierScheme,
    calendar: WorkingCalendar,
    rules: LifecycleRules,
    actor: str = "system",
) -> Objection:
    """Decide an objection. Upheld: the rating is corrected (to ``corrected_tier``,
    by default the tier before the contested change), the result code corrected
    if given, and every draw since the contested change that saw the entity is
    flagged in ``ObjectionDraw``."""
    objection = session.get(Objection, objection_id)
    if objection is None:
        raise NotFoundError(f"no objection with id {objection_id}")
    if objection.decided_on is not None:
        raise InvalidInputError(
            f"objection {objection_id} was already decided on {objection.decided_on}"
        )
    if decided_on < objection.filed_on:
        raise InvalidInputError(f"decided_on {decided_on} is before filed_on {objection.filed_on}")
    objection.decided_on, objection.upheld, objection.decision_note = decided_on, upheld, note
    flagged: list[str] = []
    if upheld:
        change = (
            session.get(TierChange, objection.tier_change_id) if objection.tier_change_id else None
        )
        since = change.effective_on if change else decided_on
        if objection.result_id is not None and corrected_result_code:
            result = session.get(InspectionResult, objection.result_id)
            assert result is not None
            result.result_code = objection.corrected_result_code = corrected_result_code
            since = min(since, result.inspected_on)
        target = corrected_tier or (change.from_tier if change else None)
        if target is not None:
            scheme.index(target)  # validates the code
            before = current_tier(
                session, objection.uscc, objection.department_code, on=decided_on, scheme=scheme
            )
            objection.corrected_tier = target
            if target != before:
                _change(
                    session,
                    objection.uscc,
                    objection.department_code,
                    before,
                    target,
                    "objection",
                    decided_on,
                    calendar.add_working_days(decided_on, rules.rating_report_days),
                )
        for draw_id, drew in draws_with_entity(
            session, objection.uscc, objection.department_code, since=since
        ):
            session.add(ObjectionDraw(objection_id=objection_id, draw_id=draw_id, drew_entity=drew))
            flagged.append(draw_id)
    session.flush()
    record_event(
        session,
        "objection.decide",
        objection.uscc,
        {
            "id": objection_id,
            "upheld": upheld,
            "corrected_tier": objection.corrected_tier,
            "on_time": decided_on <= objection.due_on,
            "flagged_draws": flagged,
        },
        actor=actor,
    )
    return objection


def apply_repair(
    session: Session,
    *,
    uscc: str,
    department_code: str,
    applied_on: date,
    scheme: TierScheme,
    rules: LifecycleRules,
    tier_change_id: int | None = None,
    actor: str = "system",
) -> CreditRepair:
    """Record an application for credit repair of the latest downgrade (or ``tier_change_id``).

    Refused before the minimum publicity period has passed.
    """
    query = select(TierChange).where(
        TierChange.uscc == uscc,
        TierChange.department_code == department_code,
        TierChange.cause == "finding",
    )
    if tier_change_id is not None:
        query = query.where(TierChange.id == tier_change_id)
    change = session.exec(
        query.order_by(col(TierChange.effective_on).desc(), col(TierChange.id).desc())
    ).first()
    if change is None:
        raise NotFoundError(f"{uscc} has no downgrade by {department_code} to repair")
    worst = change.to_tier == scheme.codes[-1]
    days = rules.min_publicity_days_worst if worst else rules.min_publicity_days
    eligible_on = change.effective_on + timedelta(days=days)
    if applied_on < eligible_on:
        raise InvalidInputError(
            f"credit repair of {uscc} is possible from {eligible_on} "
            f"(minimum publicity period of {days} days "
            f"after the downgrade on {change.effective_on}); applied on {applied_on}"
        )
    repair = CreditRepair(
        uscc=uscc,
        department_code=department_code,
        tier_change_id=change.id or 0,
        applied_on=applied_on,
        eligible_on=eligible_on,
    )
    session.add(repair)
    session.flush()
    record_event(
        session, "repair.apply", uscc, {"id": repair.id, "tier_change_id": change.id}, actor=actor
    )
    return repair


def complete_repair(
    session: Session,
    repair_id: int,
    *,
    completed_on: date,
    scheme: TierScheme,
    calendar: WorkingCalendar,
    rules: LifecycleRules,
    actor: str = "system",
) -> CreditRepair:
    """Complete a repair: restore the tier held before the downgrade; report in 2 working days."""
    repair = session.get(CreditRepair, repair_id)
    if repair is None:
        raise NotFoundError(f"no credit repair with id {repair_id}")
    if repair.completed_on is not None:
        raise InvalidInputError(
            f"credit repair {repair_id} was already completed on {repair.completed_on}"
        )
    if completed_on < repair.applied_on:
        raise InvalidInputError(
            f"completed_on {completed_on} is before applied_on {repair.applied_on}"
        )
    change = session.get(TierChange, repair.tier_change_id)
    assert change is not None
    due = calendar.add_working_days(completed_on, rules.repair_report_days)
    before = current_tier(
        session, repair.uscc, repair.department_code, on=completed_on, scheme=scheme
    )
    repair.completed_on, repair.restored_tier, repair.report_due = (
        completed_on,
        change.from_tier,
        due,
    )
    if before != change.from_tier:
        _change(
            session,
            repair.uscc,
            repair.department_code,
            before,
            change.from_tier,
            "repair",
            completed_on,
            due,
        )
    session.flush()
    record_event(
        session,
        "repair.complete",
        repair.uscc,
        {"id": repair_id, "restored_tier": change.from_tier, "report_due": due.isoformat()},
        actor=actor,
    )
    return repair


def report_repair(
    session: Session, repair_id: int, *, on: date, actor: str = "system"
) -> CreditRepair:
    """Mark a completed repair (and its tier change) as reported to the city platform."""
    repair = session.get(CreditRepair, repair_id)
    if repair is None or repair.completed_on is None:
        raise NotFoundError(f"no completed credit repair with id {repair_id}")
    repair.reported_on = on
    for change in session.exec(
        select(TierChange).where(
            TierChange.uscc == repair.uscc,
            TierChange.department_code == repair.department_code,
            TierChange.cause == "repair",
            TierChange.effective_on == repair.completed_on,
        )
    ).all():
        change.reported_on = change.reported_on or on
    record_event(
        session, "repair.report", repair.uscc, {"id": repair_id, "on": on.isoformat()}, actor=actor
    )
    return repair
