"""Objections (异议) to a rating or a result, decided within 5 working days.

An upheld objection corrects the rating (and optionally the result code) and
flags the recorded draws that used the wrong tier (``ObjectionDraw``).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.reference import TierScheme
from scheduler.errors import InvalidInputError, NotFoundError
from scheduler.publication.draw_links import draws_with_entity
from scheduler.publication.rules import LifecycleRules
from scheduler.publication.tier_changes import change_tier, current_tier
from scheduler.store.engine import record_event
from scheduler.store.models.publication import (
    InspectionResult,
    Objection,
    ObjectionDraw,
    TierChange,
)

__all__ = ["file_objection", "decide_objection"]


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
                change_tier(
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
