"""Draws in the database as this area sees them: the inputs of an export by draw id,
and the draws an upheld objection affects.

A draw that ran while an entity held a wrong tier gave it a wrong inclusion
probability (and, through the stratum sizes, its neighbours too). The draws
of the department whose frame day (receipt ``parameters.on``) is on or after
the contested change are flagged; those that actually drew the entity are
marked ``drew_entity``. (Whether the entity was in a draw's frame at all would
need the frame recomputed; flagging every such draw of the department errs on
the side of review.) Draws are the draw area's tables
(``scheduler.store.models.plans``, read via ``scheduler.draw.plans``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from scheduler.publication.results import results_frame
from scheduler.store.models.assignments import AssignmentRow, AssignmentRun
from scheduler.store.models.plans import Draw, DrawnEntity, Plan
from scheduler.store.models.publication import InspectionResult

__all__ = ["draws_with_entity", "db_inputs", "draw_frame", "recorded_results"]


def _draw_day(draw: Draw) -> date:
    on = (draw.receipt or {}).get("parameters", {}).get("on")
    return date.fromisoformat(on) if on else draw.created_at.date()


def draws_with_entity(
    session: Session, uscc: str, department_code: str, *, since: date
) -> list[tuple[str, bool]]:
    """(draw_id, drew_entity) of the department's draws on or after ``since``, by draw id."""
    found: dict[str, bool] = {}
    draws = session.exec(
        select(Draw)
        .join(Plan, col(Plan.id) == col(Draw.plan_id))
        .where(Plan.department_code == department_code)
    ).all()
    recent = {d.draw_id for d in draws if _draw_day(d) >= since}
    if recent:
        drew = set(
            session.exec(
                select(DrawnEntity.draw_id).where(
                    DrawnEntity.uscc == uscc, col(DrawnEntity.draw_id).in_(recent)
                )
            ).all()
        )
        found.update({d: d in drew for d in recent})
    return sorted(found.items())


def db_inputs(
    engine: Engine, draw_id: str
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """(draw, assignment, results) of a recorded draw, shaped like ``inputs.read_*`` frames.

    The assignment is the latest recorded matching run that staffed the draw
    (``None`` if none); results are those recorded with the draw's id.
    """
    draw = draw_frame(engine, draw_id)
    with Session(engine) as session:
        run_id = session.exec(
            select(AssignmentRow.run_id)
            .join(AssignmentRun, col(AssignmentRun.id) == col(AssignmentRow.run_id))
            .where(AssignmentRow.draw_id == draw_id)
            .order_by(col(AssignmentRun.id).desc())
        ).first()
        assignment = None
        if run_id is not None:
            rows = session.exec(
                select(AssignmentRow).where(
                    AssignmentRow.run_id == run_id, AssignmentRow.draw_id == draw_id
                )
            ).all()
            assignment = pd.DataFrame([r.model_dump(exclude={"id", "run_id"}) for r in rows])
            assignment["scheduled_on"] = pd.to_datetime(assignment["scheduled_on"])
    return draw, assignment, recorded_results(engine, draw_id)


def draw_frame(engine: Engine, draw_id: str) -> pd.DataFrame:
    """The drawn rows of a recorded draw with their department (``NotFoundError`` if unknown)."""
    from scheduler.draw.plans import draw_receipt, draw_rows

    receipt = draw_receipt(engine, draw_id)  # raises NotFoundError for an unknown draw
    draw = draw_rows(engine, draw_id)
    draw["inclusion_prob"] = draw["inclusion_prob"].astype(float)
    draw["department_code"] = str((receipt.get("parameters") or {}).get("department_code", ""))
    return draw


def recorded_results(engine: Engine, draw_id: str) -> pd.DataFrame | None:
    """The results recorded with ``draw_id``, or ``None`` while there are none."""
    with Session(engine) as session:
        found = session.exec(
            select(InspectionResult).where(InspectionResult.draw_id == draw_id)
        ).all()
    return results_frame(found) if found else None
