"""Which recorded draws involved an entity: the draws an upheld objection affects.

A draw that ran while an entity held a wrong tier used a wrong inclusion
probability for it (and, through the stratum, for its neighbours), whether or
not the entity was drawn. Draws are the draw area's tables
(``scheduler.models.plans``); results carry their ``draw_id`` too.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, select

from scheduler.errors import NotFoundError

from scheduler.models.publication import InspectionResult

__all__ = ["draws_with_entity", "db_inputs"]


def draws_with_entity(session: Session, uscc: str, department_code: str, *, since: date) -> list[tuple[str, bool]]:
    """(draw_id, drew_entity) of the department's draws on or after ``since``."""
    found: dict[str, bool] = {}
    rows = session.exec(
        select(InspectionResult.draw_id).where(
            InspectionResult.uscc == uscc,
            InspectionResult.department_code == department_code,
            InspectionResult.inspected_on >= since,
            InspectionResult.draw_id != "",
        )
    ).all()
    for draw_id in rows:
        found[draw_id] = True
    return sorted(found.items())


def db_inputs(engine: Engine, draw_id: str) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """(draw, assignment, results) frames of a draw recorded in the database."""
    raise NotFoundError(f"draw {draw_id!r}: reading draws from the database is not available yet")
