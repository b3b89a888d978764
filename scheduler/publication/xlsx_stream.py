"""Fast XLSX writing with xlsxwriter for the one-sheet-per-team 检查任务单.

A city's 检查任务单 is one worksheet per team, 500 teams and more. openpyxl's
write-only mode spent 23.5 s on 499 teams, most of it per-sheet overhead.
xlsxwriter was measured in both of its low-overhead modes on 500 teams × 20 tasks
(``benchmarks/bench_publication.py``, CPU seconds on a loaded 2-core machine):
``constant_memory`` 1.7 s (a temporary file per worksheet, opened and deleted
500 times), ``in_memory`` 0.9 s. A task-sheet workbook is a few megabytes, so
``in_memory`` is used: no temporary files at all.

Cells are written as their types: text as strings (never parsed as numbers,
formulas or links; callers neutralise formula-like text first), numbers as
numbers, dates as ``YYYY-MM-DD`` text (as the sheets print them), empty text and
missing values as blank cells.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["open_book", "write_row", "write_table"]

_OPTIONS = {
    "in_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


def open_book(path: str | Path) -> Any:
    """A workbook built in memory; its ``bold`` and ``title`` formats in ``formats_by_name``."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), _OPTIONS)
    book.formats_by_name = {
        "bold": book.add_format({"bold": True}),
        "title": book.add_format({"bold": True, "font_size": 14}),
    }
    return book


def _cell(sheet: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, pd.Timestamp | datetime | date):
        sheet.write_string(
            row, col, value.isoformat()[:10] if _midnight(value) else str(value), fmt
        )
    else:
        sheet.write_string(row, col, str(value), fmt)


def _midnight(value: date) -> bool:
    return not isinstance(value, datetime) or value.time() == datetime.min.time()


def write_row(sheet: Any, row: int, values: Sequence[object], fmt: Any = None) -> int:
    """Write ``values`` from column A of ``row``; returns the next row."""
    for col, value in enumerate(values):
        _cell(sheet, row, col, value, fmt)
    return row + 1


def write_table(
    sheet: Any,
    row: int,
    headers: list[str],
    rows: Sequence[Sequence[object]],
    bold: Any,
) -> int:
    """Bold header and ``rows`` from ``row``; column widths from the first 200 rows. Next row."""
    sample = rows[:200]
    for j, header in enumerate(headers):
        width = max([len(str(header))] + [len(str(r[j])) for r in sample]) * 1.6 + 2
        sheet.set_column(j, j, min(width, 60))
    row = write_row(sheet, row, headers, bold)
    for values in rows:
        row = write_row(sheet, row, values)
    return row
