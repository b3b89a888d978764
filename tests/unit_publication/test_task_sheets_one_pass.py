"""The one-pass 检查任务单 equals the per-team builder it replaced, file for file.

``tests/task_sheets_reference.py`` is the builder and writer as they were (a
pandas frame per team). On a joint plan of the sample data (two departments,
hundreds of teams, joint visits on one sheet) the new CSV and JSON files are
byte-identical to the old ones and the XLSX files hold the same cell values.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from task_sheets_reference import reference_task_sheets, reference_write

from scheduler.cli import main
from scheduler.data.directory import Directory
from scheduler.data.importing.reader import read_folder
from scheduler.publication import inputs
from scheduler.publication.exports import TASK_COLUMNS, task_sheets
from scheduler.publication.writers import write_task_sheets

START, END = date(2026, 11, 2), date(2026, 12, 31)


@pytest.fixture(scope="module")
def directory(sample_dir: Path) -> Directory:
    return read_folder(sample_dir)


@pytest.fixture(scope="module")
def joint_plan(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """Draws of two departments assigned together: (draw rows of both, assignment)."""
    folder = tmp_path_factory.mktemp("joint")
    data = ["--data", str(sample_dir), "--seed", "11"]
    drawn = []
    for dept, budget in (("MARKET", 400), ("HEALTH", 150)):
        draw, receipt = folder / f"{dept}.csv", folder / f"{dept}.json"
        on = ["--on", str(START), "--out", str(draw), "--receipt", str(receipt)]
        assert main(["draw", *data, "--department", dept, "--budget", str(budget), *on]) == 0
        drawn += ["--draw", str(draw), "--receipt", str(receipt)]
    out = folder / "assign.csv"
    assert main(["assign", *data, *drawn, "--start", str(START), "--end", str(END),
                 "--out", str(out)]) == 0  # fmt: skip
    draw = pd.concat(
        [inputs.read_draw(folder / f"{d}.csv") for d in ("MARKET", "HEALTH")], ignore_index=True
    )
    return draw, inputs.read_assignment(out)


def _variants(joint_plan: tuple) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    draw, assignment = joint_plan
    shuffled = assignment.sample(frac=1.0, random_state=5).reset_index(drop=True)
    repeated = pd.concat([shuffled, shuffled.head(40)], ignore_index=True)  # rows twice
    unstaffed = repeated.copy()
    unstaffed.loc[unstaffed.index[::17], "lead_inspector_id"] = ""  # no team: no sheet
    return {"joint": (draw, assignment), "shuffled": (draw, repeated), "partial": (draw, unstaffed)}


def _cells(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


@pytest.mark.parametrize("variant", ["joint", "shuffled", "partial"])
def test_one_pass_sheets_write_the_files_of_the_per_team_builder(
    directory: Directory, joint_plan: tuple, tmp_path: Path, variant: str
) -> None:
    draw, assignment = _variants(joint_plan)[variant]
    old = reference_task_sheets(directory, draw, assignment)
    new = task_sheets(directory, draw, assignment)
    assert len(new) == len(old) > 200
    assert len({s.department for s in old if "、" in s.department}) > 0  # joint visits
    # the variants differ in grouping, which the CSV and JSON hold in full; the XLSX
    # writer (200+ sheets, the slow part) is compared once, on the joint plan
    formats = ("csv", "json", "xlsx") if variant == "joint" else ("csv", "json")
    for fmt in formats:
        reference_write(old, tmp_path / f"old.{fmt}", fmt)
        assert write_task_sheets(new, tmp_path / f"new.{fmt}", fmt) == [tmp_path / f"new.{fmt}"]
    for fmt in ("csv", "json"):
        assert (tmp_path / f"new.{fmt}").read_bytes() == (tmp_path / f"old.{fmt}").read_bytes()
    if "xlsx" not in formats:
        return
    old_cells, new_cells = _cells(tmp_path / "old.xlsx"), _cells(tmp_path / "new.xlsx")
    assert list(new_cells) == list(old_cells) and len(new_cells) == len(old)
    assert new_cells == old_cells


def test_one_pass_tasks_are_the_per_team_frames_in_team_order(
    directory: Directory, joint_plan: tuple
) -> None:
    draw, assignment = _variants(joint_plan)["shuffled"]
    old = reference_task_sheets(directory, draw, assignment)
    new = task_sheets(directory, draw, assignment)
    for (team, start, stop), sheet in zip(new.bounds(), old, strict=True):
        assert (team.team_no, team.lead, team.members, team.division, team.size) == (
            sheet.team_no, sheet.lead, sheet.members, sheet.division, len(sheet.tasks)
        )  # fmt: skip
        part = new.tasks.iloc[start:stop][list(TASK_COLUMNS)].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, sheet.tasks[list(TASK_COLUMNS)])
        assert set(new.tasks["team_no"].iloc[start:stop]) == {team.team_no}


def test_no_staffed_visit_writes_an_empty_book(
    directory: Directory, joint_plan: tuple, tmp_path: Path
) -> None:
    draw, assignment = joint_plan
    nobody = assignment.assign(lead_inspector_id="")
    old, new = reference_task_sheets(directory, draw, nobody), task_sheets(directory, draw, nobody)
    assert len(new) == len(old) == 0
    for fmt in ("csv", "json"):
        reference_write(old, tmp_path / f"old.{fmt}", fmt)
        write_task_sheets(new, tmp_path / f"new.{fmt}", fmt)
        assert (tmp_path / f"new.{fmt}").read_bytes() == (tmp_path / f"old.{fmt}").read_bytes()
    write_task_sheets(new, tmp_path / "new.xlsx", "xlsx")
    assert list(_cells(tmp_path / "new.xlsx")) == ["检查任务单"]
