"""Tables of the assignments area: recorded matching runs, their rows, unassigned tasks.

A run is recorded whole (one transaction) with an audit event; a manual swap
updates the run's rows and appends a ``assignment.swap`` audit event. Draws are
referenced by their ``draw_id`` text (the draw's own id in its receipt), so the
table does not depend on how draws are stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint, text
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from scheduler.store.models.core import utcnow

__all__ = ["AssignmentRun", "AssignmentRow", "UnassignedRow"]


class AssignmentRun(SQLModel, table=True):
    """One matching run: window, rules, seed and solver settings.

    The runs of one set of draws (``draw_ids``) form a chain like re-draws:
    one first run (partial unique index where ``supersedes`` is NULL), and a
    later run names the run it replaces in ``supersedes`` (unique) with a
    ``reason``. Concurrent runs of the same draws resolve to one.
    """

    __table_args__ = (
        UniqueConstraint("supersedes", name="uq_assignmentrun_supersedes"),
        Index(
            "uq_assignmentrun_first_per_draws",
            "draw_ids",
            unique=True,
            sqlite_where=text("supersedes IS NULL"),
            postgresql_where=text("supersedes IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    draw_ids: str = ""
    """``;``-joined draw ids the run staffed."""
    start: date
    end: date
    seed: int | None = Field(default=None, sa_type=BigInteger)
    """BIGINT: PostgreSQL's INTEGER is 32-bit and would refuse seeds SQLite stores."""
    complete: bool = True
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    solver: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    supersedes: int | None = Field(default=None)
    """Id of the earlier run of the same draws that this one replaces."""
    reason: str = ""
    created_by: str = "system"


class AssignmentRow(SQLModel, table=True):
    """One department's task on one visit (a row of the assignment CSV)."""

    __table_args__ = (Index("ix_assignmentrow_run_uscc", "run_id", "uscc"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="assignmentrun.id", index=True)
    visit_id: str = Field(max_length=16)
    draw_id: str = Field(index=True, max_length=64)
    department_code: str = Field(max_length=32)
    uscc: str = Field(max_length=18)
    name: str = ""
    region_code: str = Field(max_length=12)
    lead_inspector_id: str = Field(index=True, max_length=32)
    member_inspector_ids: str = ""
    department_inspector_ids: str = ""
    scheduled_on: date = Field(index=True)
    cross_region: bool = False
    items: str = ""


class UnassignedRow(SQLModel, table=True):
    """A task a partial run could not staff or date, with the binding rule."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="assignmentrun.id", index=True)
    draw_id: str = Field(max_length=64)
    department_code: str = Field(max_length=32)
    uscc: str = Field(max_length=18)
    name: str = ""
    region_code: str = Field(max_length=12)
    reason: str = Field(max_length=32)
