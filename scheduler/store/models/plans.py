"""Tables of the plans area: plans, draws, drawn entities, reserves, substitutions.

A draw is immutable once recorded: the ORM refuses updates and deletes of
``Draw``, ``DrawnEntity``, ``ReserveEntity`` and ``Substitution`` rows (like
the audit log). A re-draw of a plan is a new ``Draw`` whose ``supersedes``
names the earlier one, so "superseded" is derived, never written over.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, String, UniqueConstraint, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from scheduler.store.models.core import utcnow

__all__ = ["Plan", "Draw", "DrawnEntity", "ReserveEntity", "Substitution", "FrameSnapshot"]


class Plan(SQLModel, table=True):
    """An inspection plan (抽查计划): who, what, where, how much, when."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = ""
    department_code: str = Field(foreign_key="department.code", index=True, max_length=32)
    sectors: str = ""
    """``;``-joined sector codes; empty = all the department's sectors."""
    regions: str = ""
    entity_types: str = ""
    joint_departments: str = ""
    """``;``-joined codes of departments joining the visits (进一次门、查多项事)."""
    joint_tier_rule: str = Field(
        default="least_favourable",
        sa_column=Column(String(32), nullable=False, server_default="least_favourable"),
    )
    """An entity's tier in the joint frame (``scheduler.draw.frame.JOINT_TIER_RULES``)."""
    policy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    """``Policy.as_dict()``: preset/rates or budget/weights."""
    repeat_window_months: int = 12
    tier_months: dict[str, int] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
    )
    """Repeat control by tier (tier -> minimum months between two inspections by the
    department), in place of ``repeat_window_months``; empty = the single window."""
    verify_commitments: bool = False
    """承诺核查: force in pending commitments due by ``end`` (or the draw day)."""
    start: date | None = None
    end: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = "system"


class Draw(SQLModel, table=True):
    """One recorded draw of a plan, with its full receipt.

    The draws of a plan form a chain, enforced by the database: at most one
    first draw per plan (``supersedes`` NULL, partial unique index) and each
    draw superseded at most once (``supersedes`` unique). Of planners drawing
    at once, exactly one insert succeeds; the others violate a constraint.
    """

    __table_args__ = (
        UniqueConstraint("supersedes", name="uq_draw_supersedes"),
        Index(
            "uq_draw_first_per_plan",
            "plan_id",
            unique=True,
            sqlite_where=text("supersedes IS NULL"),
            postgresql_where=text("supersedes IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    draw_id: str = Field(unique=True, index=True, max_length=32)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    seed: str
    """Decimal text: commit-reveal seeds have 128 bits, more than SQL integers hold."""
    algorithm_version: str
    frame_sha256: str = Field(max_length=64)
    frame_size: int
    sample_size: int
    supersedes: str | None = Field(default=None, max_length=32)
    """``draw_id`` of the earlier draw of the same plan this one replaces."""
    reason: str = ""
    receipt: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = "system"


class DrawnEntity(SQLModel, table=True):
    """A row of the draw file."""

    __table_args__ = (UniqueConstraint("draw_id", "uscc", name="uq_drawn_entity"),)
    id: int | None = Field(default=None, primary_key=True)
    draw_id: str = Field(foreign_key="draw.draw_id", index=True, max_length=32)
    uscc: str = Field(index=True, max_length=18)
    name: str
    region_code: str = Field(max_length=12)
    tier: str = Field(max_length=4)
    inclusion_prob: float
    stratum: str


class ReserveEntity(SQLModel, table=True):
    """A reserve of a stratum, in the order it is used."""

    __table_args__ = (Index("ix_reserve_draw_stratum", "draw_id", "stratum", "reserve_rank"),)
    id: int | None = Field(default=None, primary_key=True)
    draw_id: str = Field(foreign_key="draw.draw_id", max_length=32)
    stratum: str
    reserve_rank: int
    uscc: str = Field(max_length=18)
    name: str
    region_code: str = Field(max_length=12)
    tier: str = Field(max_length=4)
    inclusion_prob: float


class Substitution(SQLModel, table=True):
    """A drawn entity replaced by the next reserve of its stratum, and why."""

    id: int | None = Field(default=None, primary_key=True)
    draw_id: str = Field(foreign_key="draw.draw_id", index=True, max_length=32)
    uscc_out: str = Field(max_length=18)
    uscc_in: str = Field(max_length=18)
    stratum: str
    reason: str
    at: datetime = Field(default_factory=utcnow)
    actor: str = "system"


class FrameSnapshot(SQLModel, table=True):
    """The canonical frame of recorded draws, gzip-compressed, addressed by its SHA-256.

    Written in the draw's transaction (``scheduler.draw.snapshot``), so a draw can be
    re-run after the directory changed; shared by draws of the same frame.
    """

    frame_sha256: str = Field(primary_key=True, max_length=64)
    frame_size: int
    encoding: str = Field(default="gzip", max_length=16)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


def _refuse_change(mapper: Mapper[Any], connection: Connection, target: object) -> None:  # noqa: ARG001
    raise PermissionError(f"a recorded {type(target).__name__} is immutable")


for _table in (Draw, DrawnEntity, ReserveEntity, Substitution, FrameSnapshot):
    event.listen(_table, "before_update", _refuse_change)
    event.listen(_table, "before_delete", _refuse_change)
