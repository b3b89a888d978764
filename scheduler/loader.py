"""Bulk load of a validated ``Directory`` into the database, and back.

The load is one transaction: every table is upserted by its natural key
(``scheduler.formats.TABLES[...].key``) with SQLAlchemy Core ``insert`` and
executemany in chunks, so a million entities take seconds, not the hours an
ORM object per row would. The upsert uses the dialect's own
``INSERT ... ON CONFLICT`` (SQLite and PostgreSQL share the syntax); rows
already in the database but absent from the directory are kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from scheduler.db import record_event, session_scope
from scheduler.directory import Directory
from scheduler.formats import TABLE_ORDER, TABLES
from scheduler.models import (
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

__all__ = ["LoadReport", "load_directory", "directory_from_db", "row_counts", "DB_TABLES", "CHUNK_ROWS"]

DB_TABLES: dict[str, Table] = {
    "departments": Department.__table__,  # type: ignore[attr-defined]
    "sectors": Sector.__table__,  # type: ignore[attr-defined]
    "regions": Region.__table__,  # type: ignore[attr-defined]
    "entities": Entity.__table__,  # type: ignore[attr-defined]
    "ratings": Rating.__table__,  # type: ignore[attr-defined]
    "inspectors": Inspector.__table__,  # type: ignore[attr-defined]
    "conflicts": Conflict.__table__,  # type: ignore[attr-defined]
    "history": Inspection.__table__,  # type: ignore[attr-defined]
}
"""Directory table name -> database table."""
QUALIFICATIONS: Table = InspectorQualification.__table__  # type: ignore[attr-defined]
CHUNK_ROWS = 50_000
"""Rows per executemany call: large enough to amortise overhead, small enough for memory."""
_DELETE_CHUNK = 500  # bound parameters per DELETE ... IN (...)

Progress = Callable[[str, int, int], None]
"""``progress(table, rows_done, rows_total)``."""


@dataclass(frozen=True)
class LoadReport:
    """What a load did: rows written per table and how many of them were new."""

    written: dict[str, int]
    inserted: dict[str, int]
    qualifications: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    """Rows per table in the database after the load."""


def _insert(connection: Connection, table: Table):  # noqa: ANN202  (dialect-specific Insert)
    dialects = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
    name = connection.dialect.name
    if name not in dialects:
        raise NotImplementedError(f"bulk upsert is implemented for SQLite and PostgreSQL, not {name}")
    return dialects[name](table)


def _upsert(connection: Connection, table: Table, key: tuple[str, ...], columns: list[str]):  # noqa: ANN202
    statement = _insert(connection, table)
    update = [c for c in columns if c not in key]
    if not update:
        return statement.on_conflict_do_nothing(index_elements=list(key))
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={c: statement.excluded[c] for c in update}
    )


def _python_columns(frame: pd.DataFrame) -> list[list]:
    """Each column as a list of plain Python values (dates as ``date``, NaT as ``None``)."""
    out = []
    for name in frame.columns:
        values = frame[name]
        if values.dtype.kind == "M":
            out.append(values.to_numpy().astype("datetime64[D]").astype(object).tolist())
        else:
            out.append(values.tolist())
    return out


def _records(frame: pd.DataFrame) -> Iterator[list[dict]]:
    names = list(frame.columns)
    for start in range(0, len(frame), CHUNK_ROWS):
        columns = _python_columns(frame.iloc[start : start + CHUNK_ROWS])
        yield [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _write(connection: Connection, name: str, frame: pd.DataFrame, progress: Progress | None) -> None:
    table, key = DB_TABLES[name], TABLES[name].key
    statement = _upsert(connection, table, key, list(frame.columns))
    done = 0
    for chunk in _records(frame):
        connection.execute(statement, chunk)
        done += len(chunk)
        if progress is not None:
            progress(name, done, len(frame))


def _write_qualifications(connection: Connection, inspectors: pd.DataFrame) -> int:
    """Replace the normalised qualifications of the loaded inspectors."""
    ids = inspectors["inspector_id"].tolist()
    for start in range(0, len(ids), _DELETE_CHUNK):
        chunk = ids[start : start + _DELETE_CHUNK]
        connection.execute(delete(QUALIFICATIONS).where(QUALIFICATIONS.c.inspector_id.in_(chunk)))
    pairs = (
        inspectors[["inspector_id", "qualifications"]]
        .assign(sector_code=inspectors["qualifications"].str.split(";"))
        .explode("sector_code")
    )
    pairs = pairs.loc[pairs["sector_code"].fillna("") != "", ["inspector_id", "sector_code"]]
    pairs = pairs.drop_duplicates()
    statement = _upsert(connection, QUALIFICATIONS, ("inspector_id", "sector_code"), list(pairs.columns))
    for chunk in _records(pairs):
        connection.execute(statement, chunk)
    return len(pairs)


def load_directory(
    engine: Engine, directory: Directory, *, progress: Progress | None = None, actor: str = "system"
) -> LoadReport:
    """Upsert every table of ``directory`` in one transaction, and audit the load.

    Re-loading the same directory changes nothing (same keys, same values).
    If anything fails, nothing is written. The directory must come from
    ``scheduler.importer`` (validated); the database's own constraints are the
    last line of defence, not the validation.
    """
    started = time.perf_counter()
    written: dict[str, int] = {}
    inserted: dict[str, int] = {}
    counts: dict[str, int] = {}
    with session_scope(engine) as session:
        connection = session.connection()
        for name in TABLE_ORDER:
            frame = directory.table(name)[list(TABLES[name].column_names)]
            before = _count(connection, DB_TABLES[name])
            _write(connection, name, frame, progress)
            counts[name] = _count(connection, DB_TABLES[name])
            written[name], inserted[name] = len(frame), counts[name] - before
        qualifications = _write_qualifications(connection, directory.inspectors)
        seconds = time.perf_counter() - started
        record_event(
            session,
            "directory.load",
            subject="directory",
            details={"written": written, "inserted": inserted, "qualifications": qualifications},
            actor=actor,
        )
    return LoadReport(written, inserted, qualifications, round(seconds, 3), counts)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per directory table in the database (``scheduler db info``)."""
    with engine.connect() as connection:
        counts = {name: _count(connection, table) for name, table in DB_TABLES.items()}
        counts["qualifications"] = _count(connection, QUALIFICATIONS)
    return counts


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Database values with the column types documented in ``scheduler.directory``."""
    out = {}
    for column in TABLES[name].columns:
        values = frame[column.name]
        if column.kind == "date":
            values = pd.to_datetime(values).astype("datetime64[ns]")
        elif column.kind == "int":
            values = values.astype("int64")
        elif column.kind == "bool":
            values = values.astype(bool)
        else:
            values = values.astype(object).where(values.notna(), "")
        out[column.name] = values
    return pd.DataFrame(out, columns=list(TABLES[name].column_names))


def directory_from_db(engine: Engine) -> Directory:
    """Every directory table read back, rows in natural-key order.

    Reads with one Core ``SELECT`` per table into pandas (no ORM object per row).
    """
    tables = {}
    with engine.connect() as connection:
        for name, table in DB_TABLES.items():
            spec = TABLES[name]
            query = select(*(table.c[c] for c in spec.column_names)).order_by(
                *(table.c[k] for k in spec.key)
            )
            frame = pd.read_sql(query, connection, dtype_backend="numpy_nullable")
            tables[name] = _typed(name, frame)
    return Directory.from_tables(tables)


_ = np  # numpy is used through pandas' ``to_numpy`` results above
