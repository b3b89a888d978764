"""The 检查任务单 as built and written before the one-pass rewrite (main at fd98ea3), frozen.

``scheduler.publication.exports.task_sheets`` used to build one pandas frame per
team (100 s for a Weifang division's 2,242 teams under load). This copy is the
reference the one-pass builder and writer are compared with
(``tests/unit_publication/test_task_sheets_one_pass.py``) and the "before" of
``benchmarks/bench_publication.py``; it is not used by the library.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scheduler.data.atomic_files import atomic_target, write_text
from scheduler.data.directory import Directory
from scheduler.data.formats import split_list
from scheduler.data.safe_cells import neutralise, neutralise_frame
from scheduler.publication.exports import DECLARATION, TASK_COLUMNS, Lookups, _department_column
from scheduler.publication.writers import sheet_title

_TEAM_FIELDS = {"team_no": "检查组编号", "lead": "检查组长", "members": "检查组员"}


@dataclass(frozen=True)
class ReferenceSheet:
    """One team's sheet as the per-team builder made it."""

    team_no: int
    department: str
    division: str
    lead: str
    members: tuple[str, ...]
    first_day: str
    last_day: str
    tasks: pd.DataFrame
    declaration: str = DECLARATION


def reference_task_sheets(
    directory: Directory,
    draw: pd.DataFrame,
    assignment: pd.DataFrame,
    *,
    department_code: str | None = None,
) -> list[ReferenceSheet]:
    """Per-team task sheets, one frame per team (the old ``task_sheets``)."""
    look = Lookups(directory)
    frame = _department_column(draw, assignment, department_code)
    frame = frame[frame["lead_inspector_id"].fillna("") != ""]
    ent = look.entities.reindex(frame["uscc"])
    frame = frame.assign(
        address=ent["address"].fillna("").to_numpy(),
        day=pd.to_datetime(frame["scheduled_on"]).dt.strftime("%Y-%m-%d").fillna("").to_numpy(),
        team=frame["lead_inspector_id"] + "|" + frame["member_inspector_ids"].fillna(""),
    )
    sheets = []
    for number, (team, rows) in enumerate(frame.groupby("team", sort=True), start=1):
        lead, _, members = str(team).partition("|")
        rows = rows.sort_values(["day", "uscc"], kind="stable").drop_duplicates(
            ["uscc", "department_code"]
        )
        items = rows["items"].fillna("") if "items" in rows else pd.Series("", index=rows.index)
        tasks = pd.DataFrame(
            {
                "seq": range(1, len(rows) + 1),
                "uscc": rows["uscc"].to_numpy(),
                "name": look.entities["name"].reindex(rows["uscc"]).fillna("").to_numpy(),
                "address": rows["address"].to_numpy(),
                "items": [
                    look.items(d, u, i)
                    for d, u, i in zip(rows["department_code"], rows["uscc"], items, strict=True)
                ],
                "scheduled_on": rows["day"].to_numpy(),
                "department": rows["department_code"]
                .map(lambda c: look.departments.get(c, c))
                .to_numpy(),
            }
        )
        departments = sorted(set(tasks["department"]))
        divisions = sorted({look.divisions.get(c, c) for c in rows["region_code"]})
        sheets.append(
            ReferenceSheet(
                team_no=number,
                department="、".join(departments),
                division="、".join(divisions),
                lead=look.person(lead),
                members=tuple(look.person(i) for i in split_list(members)),
                first_day=min(tasks["scheduled_on"]),
                last_day=max(tasks["scheduled_on"]),
                tasks=tasks,
            )
        )
    return sheets


def _chinese(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    keep = [c for c in columns if c in frame]
    return neutralise_frame(frame[keep].rename(columns=columns))


def reference_write(sheets: list[ReferenceSheet], path: Path, fmt: str) -> None:
    """The old ``write_task_sheets``: XLSX one worksheet per team, CSV flat, JSON per team."""
    if fmt == "xlsx":
        from scheduler.publication.xlsx_stream import open_book, write_row, write_table

        with atomic_target(path) as temporary:
            book = open_book(temporary)
            bold, big = book.formats_by_name["bold"], book.formats_by_name["title"]
            used: set[str] = set()
            keep = [c for c in TASK_COLUMNS if sheets and c in sheets[0].tasks]
            everything = _chinese(
                pd.concat([s.tasks[keep] for s in sheets], ignore_index=True)
                if sheets
                else pd.DataFrame(columns=keep),
                TASK_COLUMNS,
            )
            headers = list(everything.columns)
            cells = everything.to_numpy(dtype=object).tolist()
            start = 0
            for s in sheets:
                team_rows, start = cells[start : start + len(s.tasks)], start + len(s.tasks)
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
                row = write_table(ws, row + 1, headers, team_rows, bold)
                write_row(ws, row + 1, [s.declaration])
            if not sheets:
                book.add_worksheet("检查任务单")
            book.close()
    elif fmt == "csv":
        frames = [
            s.tasks.assign(team_no=s.team_no, lead=s.lead, members="、".join(s.members))
            for s in sheets
        ]
        flat = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=list(TASK_COLUMNS))
        )
        with atomic_target(path) as temporary:
            _chinese(flat, {**_TEAM_FIELDS, **TASK_COLUMNS}).to_csv(
                temporary, index=False, encoding="utf-8-sig", lineterminator="\r\n"
            )
    else:
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
                "tasks": s.tasks.to_dict("records"),
            }
            for s in sheets
        ]
        write_text(
            path,
            json.dumps(
                {"title": "检查任务单", "teams": teams}, ensure_ascii=False, indent=1, default=str
            ),
        )
