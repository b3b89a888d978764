"""Credit repair (信用修复): after the minimum publicity period; reported within 2 working days.

Completing a repair restores the tier held before the downgrade.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.reference import TierScheme
from scheduler.errors import InvalidInputError, NotFoundError
from scheduler.publication.rules import LifecycleRules
from scheduler.publication.tier_changes import change_tier, current_tier
from scheduler.store.engine import record_event
from scheduler.store.models.publication import CreditRepair, TierChange

__all__ = ["apply_repair", "complete_repair", "report_repair"]


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
        change_tier(
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
