"""Tables of the directories (一单两库) and the append-only audit log.

The natural keys are those of ``scheduler.data.formats.TABLES`` so that an import
can upsert by them. List-valued fields (sectors, qualifications, inspector ids)
are kept as ``;``-joined text on the row for bulk speed; inspector
qualifications are also normalised into ``InspectorQualification`` for queries.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, UniqueConstraint, event, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from scheduler.store import audit_guard

__all__ = [
    "Department",
    "Sector",
    "Region",
    "Entity",
    "Rating",
    "Inspector",
    "InspectorQualification",
    "Conflict",
    "Inspection",
    "Commitment",
    "AuditEvent",
    "AuditHead",
    "DirectoryVersion",
    "DirectorySummary",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Department(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=32)
    name: str
    domain: str = ""


class Sector(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=64)
    name: str
    department_code: str = Field(foreign_key="department.code", index=True, max_length=32)


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=12)
    name: str


class Entity(SQLModel, table=True):
    """A market entity of the 检查对象名录库."""

    uscc: str = Field(primary_key=True, max_length=18)
    name: str
    entity_type: str = Field(index=True)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=12)
    address: str = ""
    legal_rep: str = Field(default="", index=True)
    phone: str = ""
    registered_on: date | None = None
    status: str = Field(index=True)
    sectors: str = ""


class Rating(SQLModel, table=True):
    """A credit rating of an entity by a department (``PUBLIC`` = comprehensive)."""

    __table_args__ = (
        UniqueConstraint("uscc", "department_code", "evaluated_on", name="uq_rating_key"),
        Index("ix_rating_dept_uscc", "department_code", "uscc"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(foreign_key="entity.uscc", max_length=18)
    department_code: str = Field(max_length=32)
    tier: str = Field(max_length=4)
    evaluated_on: date
    valid_until: date | None = None


class Inspector(SQLModel, table=True):
    """A law-enforcement officer of the 执法检查人员名录库."""

    inspector_id: str = Field(primary_key=True, max_length=32)
    name: str
    department_code: str = Field(foreign_key="department.code", index=True, max_length=32)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=12)
    qualifications: str = ""
    capacity: int = Field(ge=0)
    active: bool = True


class InspectorQualification(SQLModel, table=True):
    inspector_id: str = Field(foreign_key="inspector.inspector_id", primary_key=True, max_length=32)
    sector_code: str = Field(foreign_key="sector.code", primary_key=True, max_length=64)


class Conflict(SQLModel, table=True):
    """A declared conflict of interest (回避) between an inspector and an entity."""

    inspector_id: str = Field(foreign_key="inspector.inspector_id", primary_key=True, max_length=32)
    uscc: str = Field(foreign_key="entity.uscc", primary_key=True, max_length=18)
    reason: str = ""


class Inspection(SQLModel, table=True):
    """A past inspection (the ``history`` file), used for repeat control and rotation."""

    __table_args__ = (
        UniqueConstraint("uscc", "department_code", "inspected_on", name="uq_inspection_key"),
        Index("ix_inspection_dept_date", "department_code", "inspected_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(foreign_key="entity.uscc", max_length=18)
    department_code: str = Field(max_length=32)
    inspected_on: date
    inspector_ids: str = ""
    result_code: str = Field(default="", max_length=2)


class Commitment(SQLModel, table=True):
    """A credit commitment (信用承诺) an entity made to a department for a service.

    The database refuses a due day before the commitment and an unknown status,
    whatever wrote the row; ``status`` changes only through
    ``scheduler.publication.commitments.mark_broken`` (audited) or a re-import.
    """

    __table_args__ = (
        UniqueConstraint(
            "uscc", "department_code", "item", "committed_on", name="uq_commitment_key"
        ),
        CheckConstraint("due_on >= committed_on", name="ck_commitment_due_after_start"),
        CheckConstraint(
            "status IN ('pending', 'fulfilled', 'broken')", name="ck_commitment_status"
        ),
        Index("ix_commitment_dept_status_due", "department_code", "status", "due_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(foreign_key="entity.uscc", max_length=18, index=True)
    department_code: str = Field(foreign_key="department.code", max_length=32)
    item: str = Field(max_length=200)
    committed_on: date
    due_on: date
    status: str = Field(default="pending", max_length=16)


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained log of every consequential action (draws, runs, swaps, ...).

    ``seq`` numbers the chain from 1; ``prev_hash`` is the previous event's
    ``hash`` (64 zeros for the first); ``hash`` is SHA-256 of the event's
    canonical JSON including ``prev_hash`` (``scheduler.store.audit_chain``);
    ``digest`` is SHA-256 of what the event records (a draw's stored rows and
    receipt, a run's rows), or empty. ``seq`` and ``prev_hash`` are unique, so
    two appends can never both extend the same head (no fork). Database
    triggers refuse UPDATE and DELETE on this table; the ORM refuses them too.
    """

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = "system"
    kind: str = Field(index=True, max_length=64)
    subject: str = Field(default="", index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    seq: int | None = Field(default=None, unique=True)
    prev_hash: str | None = Field(default=None, unique=True, max_length=64)
    hash: str | None = Field(default=None, max_length=64)
    digest: str = Field(default="", max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's head in one row (``id`` 1): appends lock it, so they run one at a time.

    Also a second witness of the head: ``audit verify`` checks that the last
    event's ``seq`` and ``hash`` equal it, so a deleted last event is noticed.
    """

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)


def _refuse_change(mapper: Mapper[Any], connection: Connection, target: object) -> None:  # noqa: ARG001
    raise PermissionError("the audit log is append-only")


event.listen(AuditEvent, "before_update", _refuse_change)
event.listen(AuditEvent, "before_delete", _refuse_change)
event.listen(AuditEvent.__table__, "after_create", audit_guard.after_create)  # type: ignore[attr-defined]


class DirectoryVersion(SQLModel, table=True):
    """One version of the directory tables: a load, or an edit of them outside a load.

    Keys what is derived from the directory (``DirectorySummary``), so a new
    load invalidates it for every process, not a restart; a load's per-table
    source fingerprints let a re-load skip tables whose files did not change.
    """

    __tablename__ = "directory_version"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=8)
    """``load`` or ``edit``."""
    fingerprints: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    """Table -> SHA-256 of its source file as loaded (``{}`` for an edit)."""
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    """Table -> rows in the database after the load."""


class DirectorySummary(SQLModel, table=True):
    """A summary of one directory version (overview totals, a tier mix, ...), as JSON."""

    __tablename__ = "directory_summary"
    version_id: int = Field(foreign_key="directory_version.id", primary_key=True)
    name: str = Field(primary_key=True, max_length=128)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


_DIRECTORY_MODELS = (
    Department,
    Sector,
    Region,
    Entity,
    Rating,
    Inspector,
    InspectorQualification,
    Conflict,
    Inspection,
)


@event.listens_for(OrmSession, "before_flush")
def _directory_edited(session: OrmSession, _context: object, _instances: object) -> None:
    """An ORM write to a directory table outside a load makes a new ``edit`` version.

    Registered with the models so that every writer (tier changes, results)
    triggers it; see ``scheduler.store.versions``.
    """
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, _DIRECTORY_MODELS) for obj in changed):
        table = DirectoryVersion.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            insert(table).values(kind="edit", fingerprints={}, counts={}, at=utcnow())
        )
