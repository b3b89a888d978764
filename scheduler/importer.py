"""Validated import of a data folder (SPEC sections 4 and 5) into a ``Directory``.

Every cell is read as text, then each column is parsed and checked with
vectorised pandas/numpy operations (a million entities in a few seconds).
Every defect becomes a ``Problem(file, row, column, reason)`` with the row as a
spreadsheet shows it; all of them are raised together in one
``InvalidInputError`` so that a user fixes a file in one pass.

``departments``, ``sectors`` and ``regions`` fall back to the shipped reference
data when a folder lacks them; ``conflicts`` and ``history`` are optional.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler import reference
from scheduler.directory import Directory
from scheduler.formats import ENTITY_STATUSES, ENTITY_TYPES, TABLE_ORDER, TABLES, TableSpec
from scheduler.importing import cells as C
from scheduler.importing.problems import ProblemLog
from scheduler.importing.sources import locate, read_cells

__all__ = ["read_table", "read_folder", "reference_frame", "REQUIRED_TABLES", "REFERENCE_TABLES"]

REQUIRED_TABLES = ("entities", "ratings", "inspectors")
REFERENCE_TABLES = ("departments", "sectors", "regions")
"""Tables that default to ``scheduler.reference`` when a folder has no file for them."""
NON_EMPTY_TABLES = ("entities", "inspectors")

_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("entities", "entity_type"): ENTITY_TYPES,
    ("entities", "status"): ENTITY_STATUSES,
}


@dataclass
class _Table:
    """A parsed table indexed by spreadsheet row, with a usable-cell mask per column."""

    name: str
    file: str
    frame: pd.DataFrame
    ok: dict[str, np.ndarray]


def _convert(cells: pd.DataFrame, spec: TableSpec, file: str, log: ProblemLog) -> _Table:
    """Parse every column of ``spec`` to its ``Directory`` type, logging each bad cell."""
    scheme = reference.tier_scheme()
    result_codes = [r.code for r in reference.result_codes()]
    columns: dict[str, pd.Series] = {}
    ok: dict[str, np.ndarray] = {}
    for column in spec.columns:
        values, name = cells[column.name], column.name
        present = (values != "").to_numpy()
        if column.required:
            log.add_rows(
                file, values.index.to_numpy()[~present], name, lambda i: "missing required value"
            )
        good = np.ones(len(values), dtype=bool)
        if column.kind == "uscc":
            values, good = C.parse_uscc(values, file, name, log)
        elif column.kind == "date":
            values, good = C.parse_dates(values, file, name, log)
        elif column.kind == "int":
            values, good = C.parse_ints(values, file, name, log)
        elif column.kind == "bool":
            values, good = C.parse_bools(values, file, name, log)
        elif column.kind == "list":
            values = C.canonical_lists(values)
        elif column.kind == "tier":
            values = values.str.upper()
            good = C.check_choice(
                values, scheme.codes, file, name, log,
                f"tier scheme {scheme.name!r} has {', '.join(scheme.codes)}",
            )  # fmt: skip
        elif column.kind == "result_code":
            values = values.where(~values.str.fullmatch(r"\d").to_numpy(dtype=bool), "0" + values)
            good = C.check_choice(values, result_codes, file, name, log, "expected 01 to 14")
        elif (spec.name, name) in _CHOICES:
            allowed = _CHOICES[spec.name, name]
            good = C.check_choice(
                values, allowed, file, name, log, f"expected one of {', '.join(allowed)}"
            )
        columns[name] = values
        ok[name] = good & (present | (not column.required))
    frame = pd.DataFrame(columns, index=cells.index)
    if spec.name == "ratings":
        early = (frame["valid_until"] < frame["evaluated_on"]).to_numpy()
        rows, ends, starts = (
            frame.index[early],
            frame["valid_until"][early],
            frame["evaluated_on"][early],
        )
        log.add_rows(
            file,
            rows.to_numpy(),
            "valid_until",
            lambda i: (
                f"valid_until {ends.iloc[i].date()} is before evaluated_on {starts.iloc[i].date()}"
            ),
        )
        ok["valid_until"] = ok["valid_until"] & ~early
    usable = np.logical_and.reduce([ok[k] for k in spec.key])
    unique = C.check_unique(frame, spec.key, usable, file, log)
    for k in spec.key:
        ok[k] = ok[k] & unique
    return _Table(spec.name, file, frame, ok)


def _parse_file(path: Path, name: str, log: ProblemLog) -> _Table | None:
    spec = TABLES[name]
    cells = read_cells(path, spec, log)
    if cells is None:
        return None
    if name in NON_EMPTY_TABLES and cells.empty:
        log.add(path.name, None, None, f"no data rows: the {name} table must not be empty")
    return _convert(cells, spec, path.name, log)


def _reference_table(name: str, log: ProblemLog) -> _Table:
    """The shipped reference data for ``name`` as if it had been read from a file."""
    rows = {
        "departments": reference.departments,
        "sectors": reference.sectors,
        "regions": reference.regions,
    }
    spec = TABLES[name]
    records = [{c: str(getattr(item, c)) for c in spec.column_names} for item in rows[name]()]
    cells = pd.DataFrame(records, columns=list(spec.column_names), dtype=object)
    cells.index = pd.RangeIndex(2, 2 + len(cells))
    return _convert(cells.astype(str), spec, f"{name} (built-in reference)", log)


def _empty_table(name: str, log: ProblemLog) -> _Table:
    """An absent optional table, typed like a read one."""
    columns = list(TABLES[name].column_names)
    return _convert(pd.DataFrame(columns=columns, dtype=str), TABLES[name], f"{name}.csv", log)


# (table, column, target table, target column, extra allowed values)
_REFERENCES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("sectors", "department_code", "departments", "code", ()),
    ("entities", "region_code", "regions", "code", ()),
    ("entities", "sectors", "sectors", "code", ()),
    ("ratings", "uscc", "entities", "uscc", ()),
    ("ratings", "department_code", "departments", "code", (reference.PUBLIC_DEPARTMENT,)),
    ("inspectors", "department_code", "departments", "code", ()),
    ("inspectors", "region_code", "regions", "code", ()),
    ("inspectors", "qualifications", "sectors", "code", ()),
    ("conflicts", "inspector_id", "inspectors", "inspector_id", ()),
    ("conflicts", "uscc", "entities", "uscc", ()),
    ("history", "uscc", "entities", "uscc", ()),
    ("history", "department_code", "departments", "code", ()),
)


def _check_references(tables: dict[str, _Table | None], log: ProblemLog) -> None:
    """Every code must name a row of the table it refers to (foreign keys)."""
    for name, column, target_name, target_column, extra in _REFERENCES:
        table, target = tables.get(name), tables.get(target_name)
        if table is None or target is None:
            continue
        known = target.frame[target_column]
        if extra:
            known = pd.concat([known, pd.Series(extra, dtype=known.dtype)], ignore_index=True)
        expected = f"not in {target.file}"
        values = table.frame[column]
        if TABLES[name].column(column).kind == "list":
            good = C.check_list_items(
                values, set(known.unique()), table.file, column, log, expected
            )
        else:
            good = C.check_choice(
                values, known, table.file, column, log, expected, table.ok[column]
            )
        table.ok[column] = table.ok[column] & good


def reference_frame(name: str) -> pd.DataFrame:
    """The shipped ``departments``, ``sectors`` or ``regions`` as a ``Directory`` table."""
    log = ProblemLog()
    table = _reference_table(name, log)
    log.raise_if_any()
    return _finish(table)


def _finish(table: _Table) -> pd.DataFrame:
    """The ``Directory`` form: text as Python ``str`` objects, rows numbered from 0."""
    frame = table.frame.reset_index(drop=True)
    for name in frame.columns:
        if frame[name].dtype.kind not in "Mbi":
            frame[name] = C.as_objects(frame[name])
    return frame


def read_table(path: str | Path, name: str) -> pd.DataFrame:
    """Read and validate one file as table ``name`` of ``scheduler.formats.TABLES``.

    Checks what one file can show: encoding, headers, required values, types,
    enumerations (tiers, result codes, entity types and statuses) and
    duplicate keys. References to other tables are checked by ``read_folder``.

    Raises
    ------
    InvalidInputError
        With every problem found, each naming file, row, column and reason.
    """
    if name not in TABLES:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLE_ORDER)}")
    log = ProblemLog()
    path = Path(path)
    table = None
    if not path.is_file():
        log.add(path.name, None, None, f"no such file: {path}")
    else:
        table = _parse_file(path, name, log)
    log.raise_if_any()
    assert table is not None
    return _finish(table)


def read_folder(path: str | Path, *, progress: Callable[[str], None] | None = None) -> Directory:
    """Read and validate a data folder (``entities.csv`` or ``entities.xlsx``, ...).

    ``progress``, if given, is called with each table name before it is read.

    Raises
    ------
    InvalidInputError
        With every problem of every file (capped at ``MAX_PROBLEMS``), and
        nothing returned: a folder is used whole or not at all.
    """
    folder = Path(path)
    log = ProblemLog()
    if not folder.is_dir():
        log.add(str(folder), None, None, "not a folder")
        log.raise_if_any()
    tables: dict[str, _Table | None] = {}
    for name in TABLE_ORDER:
        if progress is not None:
            progress(name)
        file = locate(folder, name, log)
        if file is not None:
            tables[name] = _parse_file(file, name, log)
        elif name in REFERENCE_TABLES:
            tables[name] = _reference_table(name, log)
        elif name in REQUIRED_TABLES:
            log.add(
                f"{name}.csv", None, None, f"missing file: {name}.csv or {name}.xlsx is required"
            )
            tables[name] = None
        else:
            tables[name] = _empty_table(name, log)
    _check_references(tables, log)
    log.raise_if_any()
    return Directory.from_tables({n: _finish(t) for n, t in tables.items() if t is not None})
