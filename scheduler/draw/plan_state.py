"""Where a plan stands: its current draw and its latest recorded assignment run.

The draw area records every draw of a plan (a re-draw supersedes, never
overwrites) and the matching area records every run; the dashboard needs the
live pair. Both lookups are single indexed queries.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from scheduler.data.formats import split_list
from scheduler.draw.plans import current_draw
from scheduler.store.models.assignments import AssignmentRun

__all__ = ["current_draw_id", "latest_run_id"]


def current_draw_id(engine: Engine, plan_id: int) -> str | None:
    """The plan's draw that no later draw supersedes, or ``None`` if never drawn.

    The database keeps the draws of a plan one chain (``scheduler.draw.plans``), so
    this is the end of that chain.
    """
    return current_draw(engine, plan_id)


def latest_run_id(engine: Engine, draw_id: str) -> int | None:
    """The newest assignment run that staffed ``draw_id`` (alone or with joint draws)."""
    table = AssignmentRun.__table__  # type: ignore[attr-defined]
    query = (
        select(table.c.id, table.c.draw_ids)
        .where(table.c.draw_ids.contains(draw_id))
        .order_by(table.c.id.desc())
    )
    with engine.connect() as connection:
        for run_id, draw_ids in connection.execute(query):
            if draw_id in split_list(draw_ids):
                return int(run_id)
    return None
