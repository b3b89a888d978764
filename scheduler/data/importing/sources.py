"""From a file on disk to a frame of trimmed text cells under canonical names.

Everything is read as text first (``dtype=str``) so that codes keep their
leading zeros and so that every cell can be checked, and reported, in the
same way whatever the file type.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from scheduler.data.formats import TableSpec
from scheduler.data.importing.problems import ProblemLog

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ENCODINGS",
    "locate",
    "read_cells",
    "cell_text",
    "header_mapping",
    "body_cells",
    "looks_utf16",
    "BOM",
]

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
ENCODINGS = ("utf-8", "gb18030")
"""Tried in order, strictly (a UTF-8 BOM is dropped first): UTF-8, then GB18030.

UTF-8 is tried first because its strict decoding almost never accepts
GB18030 bytes by accident, while GB18030 accepts many UTF-8 byte sequences.
"""


def locate(folder: Path, name: str, log: ProblemLog) -> Path | None:
    """The file holding table ``name`` in ``folder`` (``name.csv`` or ``name.xlsx``).

    A file with the right stem but another suffix is returned too, so that
    ``read_cells`` reports the unsupported type instead of silently ignoring it.
    Two candidate files are a problem: which one is meant is unknowable.
    """
    candidates = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.stem.lower() == name and not p.name.startswith(("~$", "."))
    )
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates)
        log.add(
            candidates[0].name, None, None, f"several files for table {name!r} ({names}); keep one"
        )
        return None
    return candidates[0] if candidates else None


def cell_text(value: Any) -> str:
    """An XLSX cell value as the text a CSV would hold (Excel dates become ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


BOM = b"\xef\xbb\xbf"
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _parse_fast(data: bytes) -> pd.DataFrame:
    """Multithreaded Arrow parse of UTF-8 bytes, every column as text."""
    import pyarrow as pa
    from pyarrow import csv

    options = csv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24)
    # Blank lines are kept, not skipped: in a file of several columns one is a
    # ragged row, which sends the file to the exact parser (row numbers right).
    parse = csv.ParseOptions(ignore_empty_lines=False)
    probe = csv.read_csv(
        pa.BufferReader(data[: data.find(b"\n") + 1 or len(data)]), read_options=options
    )
    types = {name: pa.string() for name in probe.column_names}
    convert = csv.ConvertOptions(
        column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    table = csv.read_csv(
        pa.BufferReader(data), read_options=options, parse_options=parse, convert_options=convert
    )
    return table.to_pandas()


def _parse_exact(data: bytes, file: str, log: ProblemLog) -> pd.DataFrame | None:
    """pandas' C parser: slower, but keeps blank lines (row numbers) and pads short rows."""
    try:
        return pd.read_csv(
            io.BytesIO(data), header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, encoding="utf-8",
        )  # fmt: skip
    except pd.errors.ParserError as error:
        ragged = _RAGGED.search(str(error))
        if ragged:
            header, line, saw = (int(g) for g in ragged.groups())
            log.add(file, line, None, f"row has {saw} cells but the header has {header}")
        else:
            log.add(file, None, None, f"cannot parse the CSV: {str(error).strip()}")
        return None


def _parse(data: bytes, file: str, log: ProblemLog) -> pd.DataFrame | None:
    """Parse UTF-8 bytes; raises ``UnicodeDecodeError`` if they are not UTF-8.

    The fast Arrow parser is used unless the file has blank lines or rows of
    uneven width (Arrow refuses them): there pandas' parser keeps spreadsheet
    row numbers right and says which line is malformed.
    """
    import pyarrow as pa

    try:
        return _parse_fast(data)
    except pa.ArrowInvalid as error:
        if "utf8" in str(error).lower():
            raise UnicodeDecodeError("utf-8", b"", 0, 1, str(error)) from None
    return _parse_exact(data, file, log)


def looks_utf16(data: bytes) -> bool:
    """A UTF-16 byte-order mark, or text whose every other byte is NUL (Excel's "Unicode text")."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = data[:2000]
    return len(head) >= 4 and head.count(0) * 3 >= len(head)


def _read_csv(path: Path, log: ProblemLog) -> pd.DataFrame | None:
    """Decode strictly, UTF-8 (with or without BOM) first, else GB18030, and parse."""
    data = path.read_bytes()
    if looks_utf16(data):
        log.add(path.name, None, None, "the file is UTF-16; save it as UTF-8 or GB18030")
        return None
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data or data.isspace():  # (``data.strip()`` would copy the whole file)
        return pd.DataFrame()
    try:
        return _parse(data, path.name, log)
    except UnicodeDecodeError:
        pass
    try:
        utf8 = data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError:
        log.add(
            path.name, None, None, "cannot decode the file: it is neither UTF-8 nor GB18030 text"
        )
        return None
    return _parse(utf8, path.name, log)


def _read_xlsx(path: Path, log: ProblemLog) -> pd.DataFrame | None:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        log.add(path.name, None, None, f"not a readable .xlsx workbook ({error})")
        return None
    try:
        sheet = book.worksheets[0]
        rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    if not rows:
        return pd.DataFrame()
    _report_unsaved_formulas(path, rows, log)
    return pd.DataFrame(rows).fillna("").astype(str)


def _has_formulas(path: Path) -> bool:
    """Whether the first sheet's XML holds any ``<f>`` (formula) element; cheap, no parsing."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
            if not sheets:
                return False
            with archive.open(sheets[0]) as sheet:
                while chunk := sheet.read(1 << 20):
                    if b"<f>" in chunk or b"<f " in chunk:
                        return True
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return False


def _report_unsaved_formulas(path: Path, rows: list[list[str]], log: ProblemLog) -> None:
    """Log each formula cell that has no saved value (a file written by a program, never opened).

    ``openpyxl`` reads such a cell as empty, which would otherwise surface as a
    misleading "missing required value". Workbooks without formulas cost one
    scan of the sheet XML.
    """
    if not _has_formulas(path):
        return
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        header = rows[0]
        for r, formulas in enumerate(book.worksheets[0].iter_rows(values_only=True)):
            for c, formula in enumerate(formulas):
                saved = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
                if isinstance(formula, str) and formula.startswith("=") and saved == "":
                    column = header[c] if c < len(header) and header[c] else f"column {c + 1}"
                    log.add(
                        path.name,
                        r + 1,
                        column,
                        f"formula {formula} without a saved value; open and save the file in Excel",
                    )
    finally:
        book.close()


def _map_headers(header: list[str], spec: TableSpec, file: str, log: ProblemLog) -> dict[str, int]:
    """Canonical column name -> position in the file; unknown headers are ignored."""
    lookup = {h.casefold(): column.name for column in spec.columns for h in column.headers}
    found: dict[str, int] = {}
    for position, text in enumerate(header):
        name = lookup.get(text.casefold())
        if name is None:
            continue
        if name in found:
            log.add(
                file,
                1,
                text,
                f"headers {header[found[name]]!r} and {text!r} both name column {name!r}; keep one",
            )
        else:
            found[name] = position
    for column in spec.columns:
        if column.required and column.name not in found:
            accepted = ", ".join(repr(h) for h in column.headers)
            log.add(
                file,
                1,
                column.name,
                f"missing required column {column.name!r}; accepted headers: {accepted}",
            )
    return found


def read_cells(
    path: Path, spec: TableSpec, log: ProblemLog, columns: Collection[str] | None = None
) -> pd.DataFrame | None:
    """Trimmed text cells of ``spec``'s columns, indexed by spreadsheet row (header = 1).

    Absent optional columns are filled with ``""``; fully blank rows are dropped.
    ``columns``, if given, limits the cells returned to those columns (the
    headers are still checked against the whole spec).
    Returns ``None`` (after logging why) when the file cannot be used at all.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _read_csv(path, log)
    elif suffix == ".xlsx":
        raw = _read_xlsx(path, log)
    else:
        log.add(
            path.name,
            None,
            None,
            f"unsupported file type {path.suffix!r}; save it as .csv or .xlsx",
        )
        return None
    if raw is None:
        return None
    if raw.shape[0] == 0:
        columns = ", ".join(spec.column_names)
        log.add(path.name, None, None, f"the file is empty; expected a header row with: {columns}")
        return None
    mapping = header_mapping(raw.iloc[0].tolist(), spec, path.name, log)
    if mapping is None:
        return None
    return body_cells(raw.iloc[1:], mapping, spec, columns)


def header_mapping(
    header: list[Any], spec: TableSpec, file: str, log: ProblemLog
) -> dict[str, int] | None:
    """Canonical column name -> position, from the header row; ``None`` if a required one lacks."""
    mapping = _map_headers([str(h).strip() for h in header], spec, file, log)
    if any(c.required and c.name not in mapping for c in spec.columns):
        return None
    return mapping


def body_cells(
    body: pd.DataFrame,
    mapping: dict[str, int],
    spec: TableSpec,
    columns: Collection[str] | None = None,
) -> pd.DataFrame:
    """Trimmed text cells of data rows, indexed by spreadsheet row (``body``'s index + 1).

    ``body`` is indexed from the header row = 0. Shared by the whole-file read
    (``read_cells``) and the streaming one (``scheduler.data.importing.stream``).
    """
    cells = pd.DataFrame(index=body.index + 1)
    for column in spec.columns:
        if columns is not None and column.name not in columns:
            continue
        if column.name in mapping:
            values = body.iloc[:, mapping[column.name]].fillna("").astype(str).str.strip()
            cells[column.name] = values.set_axis(cells.index)
        else:
            cells[column.name] = ""
    blank = (cells == "").all(axis=1)
    return cells[~blank.to_numpy()] if blank.any() else cells
