"""Digests of recorded decisions, as stored: a draw, its substitutions, an assignment run.

An audit event carries the digest of what it records, and ``audit verify``
recomputes it from the stored rows; a changed seed, a re-made draw or an
edited assignment row then no longer matches its event. The digest is
computed by reading the rows back through the same connection (inside the
recording transaction, and again at verification), so both sides see the
database's own representation: what is checked is exactly what is stored.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Connection, Table, select

from scheduler.store.audit_chain import canonical_time
from scheduler.store.models.assignments import AssignmentRow, AssignmentRun, UnassignedRow
from scheduler.store.models.plans import Draw, DrawnEntity, ReserveEntity, Substitution

__all__ = ["draw_digest", "substitutions_digest", "run_digest"]

DRAWS: Table = Draw.__table__  # type: ignore[attr-defined]
DRAWN: Table = DrawnEntity.__table__  # type: ignore[attr-defined]
RESERVES: Table = ReserveEntity.__table__  # type: ignore[attr-defined]
SUBSTITUTIONS: Table = Substitution.__table__  # type: ignore[attr-defined]
RUNS: Table = AssignmentRun.__table__  # type: ignore[attr-defined]
RUN_ROWS: Table = AssignmentRow.__table__  # type: ignore[attr-defined]
MISSING: Table = UnassignedRow.__table__  # type: ignore[attr-defined]


def _plain(value: Any) -> Any:
    """A stored value as canonical JSON text can hold it (floats by repr, times in UTC)."""
    if value is None or type(value) is str or type(value) is int:  # most cells: as they are
        return value
    if hasattr(value, "isoformat"):
        return canonical_time(value) if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def _rows(
    connection: Connection, table: Table, where: Any, order: list[str]
) -> list[dict[str, Any]]:
    columns = [c for c in table.c if c.name != "id"]
    names = [c.name for c in columns]
    query = select(*columns).where(where).order_by(*(table.c[c] for c in order))
    return [
        dict(zip(names, map(_plain, row), strict=True)) for row in connection.execute(query).all()
    ]


def _sha256(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def draw_digest(connection: Connection, draw_id: str) -> str | None:
    """SHA-256 of a draw's row (seed, receipt, time, actor, ...), selection and reserves.

    ``None`` when the draw is not stored.
    """
    head = _rows(connection, DRAWS, DRAWS.c.draw_id == draw_id, ["id"])
    if not head:
        return None
    return _sha256(
        {
            "draw": head[0],
            "selection": _rows(connection, DRAWN, DRAWN.c.draw_id == draw_id, ["uscc"]),
            "reserves": _rows(
                connection, RESERVES, RESERVES.c.draw_id == draw_id, ["stratum", "reserve_rank"]
            ),
        }
    )


def substitutions_digest(connection: Connection, draw_id: str) -> str:
    """SHA-256 of every substitution recorded for a draw, in the order they were made."""
    return _sha256(
        _rows(connection, SUBSTITUTIONS, SUBSTITUTIONS.c.draw_id == draw_id, ["at", "id"])
    )


def run_digest(connection: Connection, run_id: int) -> str | None:
    """SHA-256 of an assignment run's row, its assignment rows and unassigned tasks.

    ``None`` when the run is not stored.
    """
    head = _rows(connection, RUNS, RUNS.c.id == run_id, ["id"])
    if not head:
        return None
    return _sha256(
        {
            "run": head[0],
            "rows": _rows(
                connection,
                RUN_ROWS,
                RUN_ROWS.c.run_id == run_id,
                ["visit_id", "department_code", "uscc"],
            ),
            "unassigned": _rows(
                connection, MISSING, MISSING.c.run_id == run_id, ["draw_id", "uscc", "reason"]
            ),
        }
    )
