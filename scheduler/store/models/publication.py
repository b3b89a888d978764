"""Tables of the publication area: results, tier changes, objections, credit repair.

Every row that carries a legal deadline stores it (``*_due``) next to the day
the act was done (``published_on``, ``reported_on``, ``decided_on``), so the
deadline tracker is a query, and a changed holiday calendar never rewrites a
deadline that was already announced.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from scheduler.store.models.core import utcnow

__all__ = ["InspectionResult", "TierChange", "Objection", "ObjectionDraw", "CreditRepair"]


class InspectionResult(SQLModel, table=True):
    """One inspection result (SPEC section 1 result codes) with its publication deadline."""

    __tablename__ = "inspection_result"
    __table_args__ = (
        UniqueConstraint("uscc", "department_code", "inspected_on", name="uq_result_key"),
        Index("ix_result_due", "published_on", "publication_due"),
    )
    id: int | None = Field(default=None, primary_key=True)
    draw_id: str = Field(default="", index=True, max_length=64)
    uscc: str = Field(index=True, max_length=18)
    department_code: str = Field(max_length=32)
    inspected_on: date
    result_code: str = Field(max_length=2)
    notes: str = ""
    publication_due: date
    published_on: date | None = None
    recorded_at: datetime = Field(default_factory=utcnow)


class TierChange(SQLModel, table=True):
    """A change of an entity's tier with a department, to be reported to the city platform."""

    __tablename__ = "tier_change"
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(index=True, max_length=18)
    department_code: str = Field(max_length=32)
    from_tier: str = Field(max_length=4)
    to_tier: str = Field(max_length=4)
    cause: str = Field(max_length=16)
    """``finding``, ``objection`` or ``repair``."""
    result_id: int | None = Field(default=None, foreign_key="inspection_result.id")
    effective_on: date
    report_due: date
    reported_on: date | None = None


class Objection(SQLModel, table=True):
    """An objection (异议) to a rating or a result, decided within the deadline."""

    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(index=True, max_length=18)
    department_code: str = Field(max_length=32)
    tier_change_id: int | None = Field(default=None, foreign_key="tier_change.id")
    result_id: int | None = Field(default=None, foreign_key="inspection_result.id")
    filed_on: date
    reason: str = ""
    due_on: date
    decided_on: date | None = None
    upheld: bool | None = None
    corrected_tier: str = Field(default="", max_length=4)
    corrected_result_code: str = Field(default="", max_length=2)
    decision_note: str = ""


class ObjectionDraw(SQLModel, table=True):
    """A draw affected by an upheld objection: it used the wrong tier for the entity."""

    __tablename__ = "objection_draw"
    objection_id: int = Field(foreign_key="objection.id", primary_key=True)
    draw_id: str = Field(primary_key=True, max_length=64)
    drew_entity: bool = False
    """True when the entity was drawn, not only in the frame."""


class CreditRepair(SQLModel, table=True):
    """A credit repair (信用修复): after the minimum publicity period, reported in 2 days."""

    __tablename__ = "credit_repair"
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(index=True, max_length=18)
    department_code: str = Field(max_length=32)
    tier_change_id: int = Field(foreign_key="tier_change.id")
    applied_on: date
    eligible_on: date
    completed_on: date | None = None
    restored_tier: str = Field(default="", max_length=4)
    report_due: date | None = None
    reported_on: date | None = None
