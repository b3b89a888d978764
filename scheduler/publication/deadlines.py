"""One list of every act owed by a deadline, with its status on a given day.

Publication of results (20 working days), rating reports (7), objection
decisions (5) and repair reports (2): the deadline tracker of the CLI and the
dashboard.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from scheduler.data.calendar import WorkingCalendar
from scheduler.publication.results import Deadline, publication_tracker, status_of
from scheduler.store.models.publication import CreditRepair, Objection, TierChange

__all__ = ["all_deadlines", "KIND_LABELS"]

KIND_LABELS = {
    "publish_result": "结果公示",
    "report_rating": "信用等级报送",
    "decide_objection": "异议处理",
    "report_repair": "信用修复报送",
}


def all_deadlines(session: Session, *, on: date, calendar: WorkingCalendar) -> list[Deadline]:
    """Every deadline (results, rating reports, objections, repairs), soonest first."""
    out = publication_tracker(session, on=on, calendar=calendar)
    for change in session.exec(select(TierChange).where(TierChange.cause != "repair")).all():
        status, left = status_of(change.report_due, change.reported_on, on, calendar)
        out.append(
            Deadline(
                "report_rating",
                change.id or 0,
                change.uscc,
                change.department_code,
                change.effective_on,
                change.report_due,
                change.reported_on,
                status,
                left,
            )
        )
    for objection in session.exec(select(Objection)).all():
        status, left = status_of(objection.due_on, objection.decided_on, on, calendar)
        out.append(
            Deadline(
                "decide_objection",
                objection.id or 0,
                objection.uscc,
                objection.department_code,
                objection.filed_on,
                objection.due_on,
                objection.decided_on,
                status,
                left,
            )
        )
    for repair in session.exec(select(CreditRepair)).all():
        if repair.completed_on is None or repair.report_due is None:
            continue
        status, left = status_of(repair.report_due, repair.reported_on, on, calendar)
        out.append(
            Deadline(
                "report_repair",
                repair.id or 0,
                repair.uscc,
                repair.department_code,
                repair.completed_on,
                repair.report_due,
                repair.reported_on,
                status,
                left,
            )
        )
    out.sort(key=lambda d: (d.due_on, d.kind, d.ref))
    return out
