"""Validated import of a data folder (SPEC sections 4 and 5) into a ``Directory``.

Every cell is read as text, then each column is parsed and checked with
vectorised pandas/numpy operations (a million entities in a few seconds).
Every defect becomes a ``Problem(file, row, column, reason)`` with the row as a
spreadsheet shows it; all of them are raised together in one
``InvalidInputError`` so that a user fixes a file in one pass.

``departments``, ``sectors`` and ``regions`` fall back to the shipped reference
data when a folder lacks them; ``conflicts``, ``history`` and ``commitments`` are optional.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.data import reference
from scheduler.data.directory import Directory
from scheduler.data.formats import (
    COMMITMENT_STATUS_ALIASES,
    COMMITMENT_STATUSES,
    ENTITY_STATUSES,
    ENTITY_TYPES,
    TABLE_ORDER,
    TABLES,
    TableSpec,
)
from scheduler.data.importing import cells as C
from scheduler.data.importing.problems import ProblemLog
from scheduler.data.importing.references import ParsedTable, check_references
from scheduler.data.importing.sources import locate, read_cells

__all__ = [
    "read_table",
    "read_folder",
    "reference_frame",
    "REQUIRED_TABLES",
    "REFERENCE_TABLES",
    "WORKERS",
]

REQUIRED_TABLES = ("entities", "ratings", "inspectors")
REFERENCE_TABLES = ("departments", "sectors", "regions")
"""Tables that default to ``scheduler.data.reference`` when a folder has no file for them."""
NON_EMPTY_TABLES = ("entities", "inspectors")
WORKERS = 2
"""Tables parsed at the same time by ``read_folder`` (threads; the SPEC machine has 2 cores)."""


def _blank_column(kind: str, index: pd.Index) -> pd.Series:
    """A column of what a blank cell of ``kind`` parses to (for columns left unread)."""
    if kind == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if kind == "int":
        return pd.Series(0, index=index, dtype="int64")
    if kind == "bool":
        return pd.Series(True, index=index, dtype=bool)
    return pd.Series(np.full(len(index), "", dtype=object), index=index, dtype=object)


_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("entities", "entity_type"): ENTITY_TYPES,
    ("entities", "status"): ENTITY_STATUSES,
    ("commitments", "status"): COMMITMENT_STATUSES,
}


_STRICT_KINDS = frozenset({"uscc", "date", "int", "bool", "tier", "result_code"})


def _check_order(
    frame: pd.DataFrame,
    ok: dict[str, np.ndarray],
    file: str,
    log: ProblemLog,
    pair: tuple[str, str],
) -> None:
    """Log every row whose date ``pair[1]`` is before ``pair[0]`` (a due day before its start)."""
    first, second = pair
    early = (frame[second] < frame[first]).to_numpy()
    rows, ends, starts = frame.index[early], frame[second][early], frame[first][early]
    log.add_rows(
        file,
        rows.to_numpy(),
        second,
        lambda i: f"{second} {ends.iloc[i].date()} is before {first} {starts.iloc[i].date()}",
    )
    ok[second] = ok[second] & ~early


_DATE_ORDER: dict[str, tuple[str, str]] = {
    "ratings": ("evaluated_on", "valid_until"),
    "commitments": ("committed_on", "due_on"),
}
"""Per table, two date columns whose second may not be before the first."""


def _convert(cells: pd.DataFrame, spec: TableSpec, file: str, log: ProblemLog) -> ParsedTable:
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
                file, values.index.to_numpy()[~present], name, lambda _i: "missing required value"
            )
        # Strictly parsed kinds refuse a control character as a bad value already.
        strict = column.kind in _STRICT_KINDS or (spec.name, name) in _CHOICES
        clean = (
            np.ones(len(values), dtype=bool)
            if strict
            else C.check_controls(values, file, name, log)
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
            if (spec.name, name) == ("commitments", "status"):
                values = values.str.strip().str.lower().replace(COMMITMENT_STATUS_ALIASES)
            allowed = _CHOICES[spec.name, name]
            good = C.check_choice(
                values, allowed, file, name, log, f"expected one of {', '.join(allowed)}"
            )
        columns[name] = values
        ok[name] = good & clean & (present | (not column.required))
    frame = pd.DataFrame(columns, index=cells.index)
    pair = _DATE_ORDER.get(spec.name)
    if pair is not None and all(c in frame for c in pair):
        _check_order(frame, ok, file, log, pair)
    usable = np.logical_and.reduce([ok[k] for k in spec.key])
    unique = C.check_unique(frame, spec.key, usable, file, log)
    for k in spec.key:
        ok[k] = ok[k] & unique
    return ParsedTable(spec.name, file, frame, ok)


def _parse_file(
    path: Path, name: str, log: ProblemLog, columns: Collection[str] | None = None
) -> ParsedTable | None:
    """Read and convert one file; only ``columns`` (and the key) if given."""
    spec = TABLES[name]
    if columns is not None:
        keep = set(columns) | set(spec.key)
        spec = replace(spec, columns=tuple(c for c in spec.columns if c.name in keep))
    cells = read_cells(path, TABLES[name], log, spec.column_names)
    if cells is None:
        return None
    if name in NON_EMPTY_TABLES and cells.empty:
        log.add(path.name, None, None, f"no data rows: the {name} table must not be empty")
    return _convert(cells, spec, path.name, log)


def _reference_table(name: str, log: ProblemLog) -> ParsedTable:
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


def _empty_table(name: str, log: ProblemLog) -> ParsedTable:
    """An absent optional table, typed like a read one."""
    columns = list(TABLES[name].column_names)
    return _convert(pd.DataFrame(columns=columns, dtype=str), TABLES[name], f"{name}.csv", log)


def reference_frame(name: str) -> pd.DataFrame:
    """The shipped ``departments``, ``sectors`` or ``regions`` as a ``Directory`` table."""
    log = ProblemLog()
    table = _reference_table(name, log)
    log.raise_if_any()
    return _finish(table)


def _finish(table: ParsedTable) -> pd.DataFrame:
    """The ``Directory`` form: text as Python ``str`` objects, rows numbered from 0.

    Columns left unread are filled with what a blank cell of their kind parses to.
    """
    frame = table.frame.reset_index(drop=True)
    for name in frame.columns:
        if frame[name].dtype.kind not in "Mbi":
            frame[name] = C.as_objects(frame[name])
    spec = TABLES[table.name]
    if len(frame.columns) < len(spec.columns):
        blanks = {
            c.name: _blank_column(c.kind, frame.index) for c in spec.columns if c.name not in frame
        }
        frame = frame.assign(**blanks)[list(spec.column_names)]
    return frame


def read_table(path: str | Path, name: str) -> pd.DataFrame:
    """Read and validate one file as table ``name`` of ``scheduler.data.formats.TABLES``.

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


def _read_one(
    folder: Path, name: str, columns: Collection[str] | None
) -> tuple[ParsedTable | None, ProblemLog]:
    """Table ``name`` of ``folder`` (or its fallback), with the problems of its own log."""
    log = ProblemLog()
    file = locate(folder, name, log)
    if file is not None:
        return _parse_file(file, name, log, columns), log
    if name in REFERENCE_TABLES:
        return _reference_table(name, log), log
    if name in REQUIRED_TABLES:
        log.add(f"{name}.csv", None, None, f"missing file: {name}.csv or {name}.xlsx is required")
        return None, log
    return _empty_table(name, log), log


def read_folder(
    path: str | Path,
    *,
    tables: Collection[str] | Mapping[str, Collection[str] | None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Directory:
    """Read and validate a data folder (``entities.csv`` or ``entities.xlsx``, ...).

    ``tables``, if given, reads only those tables, or, as a mapping, only the
    given columns of each (``None``: every column; the key is always read;
    e.g. ``scheduler.draw.frame.FRAME_INPUT``). What is not read is not validated:
    other tables come back empty, other columns blank, and only references
    among what was read are checked. A draw thus does not pay for inspectors,
    conflicts or addresses.

    Tables are parsed ``WORKERS`` at a time in threads: they are independent
    until the reference checks, and Arrow, numpy and pandas release the GIL
    for most of the work (measured on 2 cores: 3.5 s -> 2.2 s for a 1M-entity
    draw). Each table's conversion to the ``Directory`` form (Python ``str``,
    which holds the GIL) starts, in a thread of its own, as soon as the table
    is parsed, so that it overlaps Arrow work instead of following it (-0.25 s
    on that draw). Problems are still listed in table order. ``progress``, if given,
    is called with each table name, in order, when its turn comes.

    Raises
    ------
    InvalidInputError
        With every problem of every file (capped at ``MAX_PROBLEMS``), and
        nothing returned: a folder is used whole or not at all.
    """
    if tables is None:
        wanted: Mapping[str, Collection[str] | None] = dict.fromkeys(TABLE_ORDER)
    elif isinstance(tables, Mapping):
        wanted = tables
    else:
        wanted = dict.fromkeys(tables)
    unknown = sorted(set(wanted) - set(TABLE_ORDER))
    if unknown:
        raise KeyError(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(TABLE_ORDER)}")
    folder = Path(path)
    log = ProblemLog()
    if not folder.is_dir():
        log.add(str(folder), None, None, "not a folder")
        log.raise_if_any()
    names = [name for name in TABLE_ORDER if name in wanted]
    read: dict[str, ParsedTable | None] = {}
    finished: dict[str, Future[pd.DataFrame]] = {}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool, ThreadPoolExecutor(1) as finisher:
        futures = [pool.submit(_read_one, folder, name, wanted[name]) for name in names]
        for name, future in zip(names, futures, strict=True):
            if progress is not None:
                progress(name)
            table, table_log = future.result()
            log.merge(table_log)
            read[name] = table
            if table is not None:  # (wasted if another check fails; cancelled then)
                finished[name] = finisher.submit(_finish, table)
        check_references(read, log, pool)
        if log:
            for pending in finished.values():
                pending.cancel()
        log.raise_if_any()
        return Directory.from_tables({name: f.result() for name, f in finished.items()})
