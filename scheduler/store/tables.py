"""The database tables a ``Directory`` maps to, and the limits their columns impose.

Shared by the bulk write (``scheduler.store.bulk_write``), the read-back
(``scheduler.store.readback``) and the load (``scheduler.store.loader``), so the mapping
from directory table to database table is written once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, func, select

from scheduler.data.directory import Directory
from scheduler.data.formats import TABLES
from scheduler.data.importing.problems import ProblemLog
from scheduler.errors import InvalidInputError
from scheduler.store.models import (
    Commitment,
    Conflict,
    Department,
    Entity,
    Inspection,
    Inspector,
    InspectorQualification,
    Rating,
    Region,
    Sector,
)

__all__ = [
    "DB_TABLES",
    "QUALIFICATIONS",
    "CHUNK_ROWS",
    "count_rows",
    "base_type",
    "check_lengths",
    "log_lengths",
]

DB_TABLES: dict[str, Table] = {
    "departments": Department.__table__,  # type: ignore[attr-defined]
    "sectors": Sector.__table__,  # type: ignore[attr-defined]
    "regions": Region.__table__,  # type: ignore[attr-defined]
    "entities": Entity.__table__,  # type: ignore[attr-defined]
    "ratings": Rating.__table__,  # type: ignore[attr-defined]
    "inspectors": Inspector.__table__,  # type: ignore[attr-defined]
    "conflicts": Conflict.__table__,  # type: ignore[attr-defined]
    "history": Inspection.__table__,  # type: ignore[attr-defined]
    "commitments": Commitment.__table__,  # type: ignore[attr-defined]
}
"""Directory table name -> database table."""
QUALIFICATIONS: Table = InspectorQualification.__table__  # type: ignore[attr-defined]
CHUNK_ROWS = 50_000
"""Rows per executemany call: large enough to amortise overhead, small enough for memory."""


def count_rows(connection: Connection, table: Table) -> int:
    """Rows in ``table``, as seen by ``connection`` (inside its transaction)."""
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def base_type(column: Any) -> Any:
    """The column's SQL type, seen through SQLModel's ``AutoString`` (a TypeDecorator)."""
    return getattr(column.type, "impl_instance", column.type)


def _column_limit(column: Any) -> int | None:
    return getattr(base_type(column), "length", None)


def log_lengths(name: str, frame: pd.DataFrame, rows: np.ndarray, log: ProblemLog) -> None:
    """Log each cell of table ``name`` longer than its column; ``rows``: spreadsheet rows."""
    table = DB_TABLES[name]
    for column in TABLES[name].column_names:
        limit = _column_limit(table.c[column])
        if limit is None or column not in frame:
            continue
        values = frame[column].to_numpy(dtype=object)
        lengths = np.fromiter(
            (len(v) if isinstance(v, str) else 0 for v in values), np.int64, len(values)
        )
        long = np.flatnonzero(lengths > limit)
        log.add_rows(name, rows[long], column, _too_long(lengths[long], limit))


def _too_long(lengths: np.ndarray, limit: int) -> Callable[[int], str]:
    return lambda i: f"{lengths[i]} characters; at most {limit} fit the database"


def check_lengths(directory: Directory) -> None:
    """Refuse text longer than its database column, naming each cell, on every dialect.

    PostgreSQL enforces ``VARCHAR(n)`` (a code of 40 characters would abort
    the load with a driver error); SQLite ignores it. Checked before the
    database is touched, so both refuse the same folders the same way.
    """
    log = ProblemLog(limit=sys.maxsize)
    for name in DB_TABLES:
        frame = directory.table(name)
        log_lengths(name, frame, np.arange(len(frame)) + 2, log)
    if log:
        raise InvalidInputError(problems=log.problems)
