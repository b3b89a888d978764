"""Serialising export tables: XLSX (Chinese headers, one sheet per group), CSV
(UTF-8 with BOM so Excel opens it, one file per group) and JSON (English keys).

Every text cell of XLSX and CSV goes through ``safe_cells.neutralise``; JSON is
data for programs and is written exactly. Only the keys of the given column map
are written, so a frame may carry helper columns (e.g. a split key) safely.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from scheduler.data.atomic_files import atomic_target, write_text
from scheduler.data.safe_cells import neutralise, neutralise_frame
from scheduler.publication.exports import TASK_COLUMNS, TaskSheets

__all__ = ["Format", "write_tables", "write_task_sheets", "sheet_title"]

Format = Literal["xlsx", "csv", "json"]
ANCHOR_TITLE = "审计链锚点"
"""Worksheet of a public list that carries the audit chain head."""
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str, used: set[str]) -> str:
    """An Excel-legal, unique sheet name (31 characters at most)."""
    base = _BAD_SHEET_CHARS.sub("_", text).strip("'") or "Sheet"
    title, n = base[:31], 2
    while title in used:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def _chinese(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    keep = [c for c in columns if c in frame]
    return neutralise_frame(frame[keep].rename(columns=columns))


def _group_path(path: Path, key: str, many: bool) -> Path:
    if not many:
        return path
    safe = re.sub(r"[\\/:*?\"<>|\s]", "_", key) or "all"
    return path.with_name(f"{path.stem}_{safe}{path.suffix}")


def _append_table(sheet: Any, frame: pd.DataFrame) -> None:
    """Header (bold) and rows; column widths from the first 200 rows, set before the rows."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for j, header in enumerate(frame.columns, start=1):
        width = max([len(str(header))] + [len(str(v)) for v in frame.iloc[:200, j - 1]]) * 1.6 + 2
        sheet.column_dimensions[get_column_letter(j)].width = min(width, 60)
    header_cells = []
    for header in frame.columns:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in frame.itertuples(index=False):
        sheet.append([None if v == "" else v for v in row])


def write_tables(
    sheets: dict[str, pd.DataFrame],
    columns: dict[str, str],
    path: str | Path,
    fmt: Format,
    *,
    title: str,
    anchor: str | None = None,
) -> list[Path]:
    """Write grouped tables, each file atomically; returns the files written.

    ``anchor`` (the audit chain head, for public lists from the database) goes
    with the list: a last worksheet in XLSX, a field in JSON, a
    ``<name>.anchor.txt`` beside CSV files.
    """
    path = Path(path)
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        used: set[str] = set()
        for key, frame in sheets.items():
            _append_table(
                book.create_sheet(sheet_title(key or title, used)), _chinese(frame, columns)
            )
        if not sheets:
            book.create_sheet(title)
        if anchor:
            book.create_sheet(sheet_title(ANCHOR_TITLE, used)).append([anchor])
        with atomic_target(path) as temporary:
            book.save(temporary)
        return [path]
    if fmt == "csv":
        written = []
        for key, frame in sheets.items():
            target = _group_path(path, key, len(sheets) > 1)
            with atomic_target(target) as temporary:
                _chinese(frame, columns).to_csv(
                    temporary, index=False, encoding="utf-8-sig", lineterminator="\r\n"
                )
            written.append(target)
        if anchor:
            written.append(write_text(path.with_name(path.stem + ".anchor.txt"), anchor + "\n"))
        return written
    if fmt == "json":
        payload = {
            "title": title,
            **({"audit_chain_head": anchor} if anchor else {}),
            "columns": columns,
            "groups": {
                key: frame[[c for c in columns if c in frame]].to_dict("records")
                for key, frame in sheets.items()
            },
        }
        write_text(path, json.dumps(payload, ensure_ascii=False, default=str))
        return [path]
    raise ValueError(f"`fmt` must be 'xlsx', 'csv' or 'json'; got {fmt!r}")


_TEAM_FIELDS = {
    "team_no": "检查组编号",
    "lead": "检查组长",
    "members": "检查组员",
}


def write_task_sheets(sheets: TaskSheets, path: str | Path, fmt: Format) -> list[Path]:
    """XLSX: one worksheet per team (heading, task table, declaration line); CSV: one flat
    table with the team on every row; JSON: teams with their tasks and declaration.

    The task table is neutralised (or turned into records) once for all teams and
    sliced per team: pandas calls per team cost more than the writing.
    """
    path = Path(path)
    keep = [c for c in TASK_COLUMNS if c in sheets.tasks]
    if fmt == "xlsx":
        from scheduler.publication.xlsx_stream import open_book, write_row, write_table

        with atomic_target(path) as temporary:
            book = open_book(temporary)
            bold, big = book.formats_by_name["bold"], book.formats_by_name["title"]
            used: set[str] = set()
            everything = _chinese(sheets.tasks[keep], TASK_COLUMNS)
            headers = list(everything.columns)
            cells = everything.to_numpy(dtype=object).tolist()
            for s, start, stop in sheets.bounds():
                ws = book.add_worksheet(
                    sheet_title(f"{s.team_no:03d} {s.lead.split('（')[0]}", used)
                )
                row = write_row(ws, 0, ["检查任务单"], big)
                heading = [
                    ("检查部门", s.department),
                    ("行政区划", s.division),
                    ("检查组长", s.lead),
                    ("检查组员", "、".join(s.members)),
                    ("检查日期", f"{s.first_day} 至 {s.last_day}"),
                ]
                for label, value in heading:
                    ws.write_string(row, 0, label, bold)
                    row = write_row(ws, row, [None, neutralise(value)])
                row = write_table(ws, row + 1, headers, cells[start:stop], bold)
                write_row(ws, row + 1, [s.declaration])
            if not sheets.teams:
                book.add_worksheet("检查任务单")
            book.close()
        return [path]
    if fmt == "csv":
        if sheets.teams:
            sizes = [s.size for s in sheets.teams]
            flat = sheets.tasks.assign(
                lead=np.repeat(np.array([s.lead for s in sheets.teams], dtype=object), sizes),
                members=np.repeat(
                    np.array(["、".join(s.members) for s in sheets.teams], dtype=object), sizes
                ),
            )
        else:  # no team: the task columns only, as ever
            flat = pd.DataFrame(columns=list(TASK_COLUMNS))
        with atomic_target(path) as temporary:
            _chinese(flat, {**_TEAM_FIELDS, **TASK_COLUMNS}).to_csv(
                temporary, index=False, encoding="utf-8-sig", lineterminator="\r\n"
            )
        return [path]
    if fmt == "json":
        records = sheets.tasks[keep].to_dict("records")
        teams = [
            {
                "team_no": s.team_no,
                "department": s.department,
                "division": s.division,
                "lead": s.lead,
                "members": list(s.members),
                "first_day": s.first_day,
                "last_day": s.last_day,
                "declaration": s.declaration,
                "tasks": records[start:stop],
            }
            for s, start, stop in sheets.bounds()
        ]
        write_text(
            path,
            json.dumps(
                {"title": "检查任务单", "teams": teams}, ensure_ascii=False, indent=1, default=str
            ),
        )
        return [path]
    raise ValueError(f"`fmt` must be 'xlsx', 'csv' or 'json'; got {fmt!r}")
