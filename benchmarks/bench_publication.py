"""Publication area: export and estimate costs on the committed sample data (20,000 entities).

Prints seconds per step and ratios against a baseline measured in the same run
(``DataFrame.to_csv`` of the same public table): the masking, neutralising and
XLSX writing are what the ratios show. Run: ``.venv/bin/python benchmarks/bench_publication.py``.

The 检查任务单 section writes 500 teams' sheets with the xlsxwriter writer
(in_memory; constant_memory measured too) and with the openpyxl write-only writer it
replaced (kept below as the baseline), prints wall and CPU seconds and the ratio,
and checks that the files hold the same cell values. Target: 500 teams in <= 3 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.data.importing.reader import read_folder
from scheduler.data.safe_cells import neutralise, neutralise_frame
from scheduler.draw.sampling import draw_sample
from scheduler.publication import jobs
from scheduler.publication.estimates import estimate_rates
from scheduler.publication.exports import TASK_COLUMNS, TaskSheets, TeamHeading
from scheduler.publication.public_list import public_list
from scheduler.publication.writers import sheet_title, write_task_sheets

REPO = Path(__file__).resolve().parent.parent


def _timed(label: str, fn, baseline: float | None = None) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    ratio = f"  ({seconds / baseline:5.1f}x baseline)" if baseline else ""
    print(f"{label:<44} {seconds:7.3f} s{ratio}")
    return seconds


def _task_sheets_openpyxl(sheets: TaskSheets, path: Path) -> None:
    """The previous XLSX writer of ``write_task_sheets`` (openpyxl write-only): the baseline."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    used: set[str] = set()
    for s, start, stop in sheets.bounds():
        ws = book.create_sheet(sheet_title(f"{s.team_no:03d} {s.lead.split('（')[0]}", used))
        title = WriteOnlyCell(ws, value="检查任务单")
        title.font = Font(bold=True, size=14)
        ws.append([title])
        heading = [
            ("检查部门", s.department),
            ("行政区划", s.division),
            ("检查组长", s.lead),
            ("检查组员", "、".join(s.members)),
            ("检查日期", f"{s.first_day} 至 {s.last_day}"),
        ]
        for label, value in heading:
            cell = WriteOnlyCell(ws, value=label)
            cell.font = Font(bold=True)
            ws.append([cell, neutralise(value)])
        ws.append([])
        tasks = sheets.tasks.iloc[start:stop]
        frame = neutralise_frame(tasks[list(TASK_COLUMNS)].rename(columns=TASK_COLUMNS))
        for j, header in enumerate(frame.columns, start=1):
            width = max([len(str(header))] + [len(str(v)) for v in frame.iloc[:200, j - 1]])
            ws.column_dimensions[get_column_letter(j)].width = min(width * 1.6 + 2, 60)
        header_cells = []
        for header in frame.columns:
            cell = WriteOnlyCell(ws, value=header)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        ws.append(header_cells)
        for row in frame.itertuples(index=False):
            ws.append([None if v == "" else v for v in row])
        ws.append([])
        ws.append([s.declaration])
    book.save(path)


def _synthetic_task_sheets(entities: pd.DataFrame, teams: int, per_team: int) -> TaskSheets:
    """``teams`` sheets of ``per_team`` tasks each, from the sample directory's entities."""
    rows = entities.head(teams * per_team).reset_index(drop=True)
    team = np.arange(len(rows)) // per_team
    tasks = pd.DataFrame(
        {
            "seq": np.arange(len(rows)) % per_team + 1,
            "uscc": rows["uscc"].to_numpy(),
            "name": rows["name"].to_numpy(),
            "address": rows["address"].fillna("").to_numpy(),
            "items": "食品经营许可事项检查、广告发布行为检查",
            "scheduled_on": [f"2026-12-{1 + t % 28:02d}" for t in team],
            "department": "市市场监管局",
            "team_no": team + 1,
        }
    )
    headings = tuple(
        TeamHeading(
            team_no=t + 1,
            department="市市场监管局",
            division="潍城区",
            lead=f"张{t}（LF37070{t:05d}）",
            members=(f"李{t}（LF37071{t:05d}）",),
            first_day="2026-12-01",
            last_day="2026-12-28",
            size=per_team,
        )
        for t in range(teams)
    )
    return TaskSheets(teams=headings, tasks=tasks)


def _cell_values(path: Path) -> list[list[tuple]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    values = [
        [tuple(v for v in row if v is not None) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    ]
    book.close()
    return values


def _both_clocks(label: str, fn, baseline: tuple[float, float] | None = None):
    """Wall and CPU seconds: CPU time stays comparable when other jobs share the cores."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    ratio = f"  ({baseline[1] / cpu:4.1f}x faster in CPU time)" if baseline else ""
    print(f"{label:<44} wall {wall:6.2f} s  cpu {cpu:6.2f} s{ratio}")
    return wall, cpu


def bench_task_sheets(directory, out: Path) -> None:
    from scheduler.publication import xlsx_stream

    sheets = _synthetic_task_sheets(directory.entities, teams=500, per_team=20)
    tasks = len(sheets.tasks)
    print(f"检查任务单: {len(sheets)} teams, {tasks:,} tasks")
    before = _both_clocks(
        "before: openpyxl write-only",
        lambda: _task_sheets_openpyxl(sheets, out / "tasks-openpyxl.xlsx"),
    )
    chosen = dict(xlsx_stream._OPTIONS)
    xlsx_stream._OPTIONS = chosen | {"in_memory": False, "constant_memory": True}
    try:
        _both_clocks(
            "xlsxwriter constant_memory",
            lambda: write_task_sheets(sheets, out / "tasks-cm.xlsx", "xlsx"),
            before,
        )
    finally:
        xlsx_stream._OPTIONS = chosen
    after = _both_clocks(
        "after: xlsxwriter in_memory (shipped)",
        lambda: write_task_sheets(sheets, out / "tasks.xlsx", "xlsx"),
        before,
    )
    same = _cell_values(out / "tasks-openpyxl.xlsx") == _cell_values(out / "tasks.xlsx")
    same_cm = _cell_values(out / "tasks-cm.xlsx") == _cell_values(out / "tasks.xlsx")
    print(
        f"same cell values as openpyxl: {same} (constant_memory: {same_cm}); "
        f"target <= 3 s: wall {after[0]:.2f} s, cpu {after[1]:.2f} s"
    )
    assert same and same_cm, "the xlsxwriter writer changed the content of the task sheets"


def main() -> None:
    directory = read_folder(REPO / "sample_data")
    ent = directory.entities
    draw = pd.DataFrame(
        {
            "draw_id": "B",
            "uscc": ent["uscc"],
            "name": ent["name"],
            "region_code": ent["region_code"],
            "tier": "A",
            "inclusion_prob": 1.0,
            "stratum": "s",
        }
    )
    results = pd.DataFrame(
        {
            "uscc": ent["uscc"],
            "department_code": "MARKET",
            "inspected_on": pd.Timestamp("2026-11-20"),
            "result_code": "01",
            "draw_id": "B",
            "notes": "",
        }
    )
    table = public_list(directory, draw=draw, results=results, department_code="MARKET")
    out = Path(tempfile.mkdtemp())
    bench_task_sheets(directory, out)
    print(f"public list of {len(table):,} rows")
    base = _timed("baseline: DataFrame.to_csv of the table", lambda: table.to_csv(out / "base.csv"))
    _timed(
        "public_list (masking, items)",
        lambda: public_list(directory, draw=draw, results=results, department_code="MARKET"),
        base,
    )
    for fmt in ("csv", "xlsx", "json"):
        _timed(
            f"export public --format {fmt} (build + write)",
            lambda fmt=fmt: jobs.run_export(
                directory,
                draw,
                kind="public",
                fmt=fmt,
                out=out / f"p.{fmt}",
                results=results,
                department_code="MARKET",
            ),
            base,
        )
    rng = np.random.default_rng(1)
    n = 1_000_000
    pi = np.full(n, 0.05)
    strata = rng.integers(0, 48, n)
    chosen = draw_sample(pi, rng=rng, strata=strata)
    sample = pd.DataFrame(
        {
            "uscc": chosen.astype(str),
            "inclusion_prob": pi[chosen],
            "stratum": strata[chosen],
            "tier": strata[chosen] % 4,
            "region_code": strata[chosen] // 4,
            "violation": (rng.random(chosen.size) < 0.1).astype(float),
        }
    )
    _timed(
        f"estimate_rates, {chosen.size:,} results, 48 strata, by tier+region",
        lambda: estimate_rates(sample, by=("tier", "region_code")),
    )


if __name__ == "__main__":
    main()
