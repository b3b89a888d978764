"""Internal exports of a draw and its assignment: the inspection list and the task sheets.

These are working documents of the inspecting departments (not public): the
检查对象名单 carries addresses, legal representatives, phones and tiers, and the
检查任务单 tells each team whom to visit, when, for which items, with the
conflict-of-interest declaration (行政处罚法 第43条) the team signs. Frames are
built here with English column keys; ``writers`` turns them into XLSX/CSV
with Chinese headers or JSON for other systems.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from scheduler.data.directory import Directory
from scheduler.data.formats import split_list

__all__ = [
    "LIST_COLUMNS",
    "TASK_COLUMNS",
    "DECLARATION",
    "TeamHeading",
    "TaskSheets",
    "Lookups",
    "inspection_list",
    "task_sheets",
    "split_frame",
]

Split = Literal["none", "department", "division"]

LIST_COLUMNS: dict[str, str] = {
    "seq": "序号",
    "draw_id": "抽查编号",
    "department": "检查部门",
    "uscc": "统一社会信用代码",
    "name": "主体名称",
    "entity_type": "主体类型",
    "division": "行政区划",
    "address": "住所",
    "legal_rep": "法定代表人（经营者）",
    "phone": "联系电话",
    "tier": "信用等级",
    "inclusion_prob": "入样概率",
    "stratum": "抽样层",
    "items": "检查事项",
    "lead": "检查组长",
    "members": "检查组员",
    "scheduled_on": "计划检查日期",
    "cross_region": "跨区域检查",
}
TASK_COLUMNS: dict[str, str] = {
    "seq": "序号",
    "uscc": "统一社会信用代码",
    "name": "主体名称",
    "address": "住所",
    "items": "检查事项",
    "scheduled_on": "计划检查日期",
    "department": "检查部门",
}
DECLARATION = (
    "回避声明：本组检查人员与上述检查对象均不存在利害关系；如有应当回避的情形，"
    "已主动申请回避。检查人员签字：________________  日期：__________"
)


class Lookups:
    """Code -> name maps of a directory (departments, divisions, sectors, inspectors)."""

    def __init__(self, directory: Directory) -> None:
        self.departments = dict(
            zip(directory.departments["code"], directory.departments["name"], strict=False)
        )
        self.divisions = dict(
            zip(directory.regions["code"], directory.regions["name"], strict=False)
        )
        self.sectors = dict(zip(directory.sectors["code"], directory.sectors["name"], strict=False))
        self.sector_department = dict(
            zip(directory.sectors["code"], directory.sectors["department_code"], strict=False)
        )
        self.inspectors = dict(
            zip(directory.inspectors["inspector_id"], directory.inspectors["name"], strict=False)
        )
        self.entities = directory.entities.set_index("uscc", drop=False)
        self.entity_sectors = dict(
            zip(directory.entities["uscc"], directory.entities["sectors"], strict=False)
        )

    def person(self, inspector_id: str) -> str:
        name = self.inspectors.get(inspector_id, "")
        return f"{name}（{inspector_id}）" if name else inspector_id

    def items(self, department_code: str, uscc: str, items: str = "") -> str:
        """Inspection items: the assignment's ``DEPT:sector,..`` list, else the entity's sectors
        under the department, else the department's name."""
        if items:
            parts = []
            for part in split_list(items):
                dept, _, sectors = part.partition(":")
                names = "、".join(self.sectors.get(s, s) for s in sectors.split(",") if s)
                parts.append(
                    f"{self.departments.get(dept, dept)}：{names}"
                    if names
                    else self.departments.get(dept, dept)
                )
            return "；".join(parts)
        own = [
            self.sectors.get(s, s)
            for s in split_list(self.entity_sectors.get(uscc, ""))
            if self.sector_department.get(s) == department_code
        ]
        return "、".join(own) or f"{self.departments.get(department_code, department_code)}监管事项"


def _department_column(
    draw: pd.DataFrame, assignment: pd.DataFrame | None, department_code: str | None
) -> pd.DataFrame:
    """Draw rows joined to their assignment rows, with a ``department_code`` on every row."""
    frame = draw.copy()
    if "department_code" not in frame or (frame["department_code"] == "").all():
        frame["department_code"] = department_code or ""
    if assignment is None:
        return frame
    right = assignment.drop(columns=[c for c in ("name", "region_code") if c in assignment])
    keys = ["uscc"]
    if "draw_id" in right and (right["draw_id"] != "").all():
        keys.append("draw_id")
    if "department_code" in right and (right["department_code"] != "").all():
        frame = frame.drop(columns="department_code")
        merged = frame.merge(right, on=keys, how="left")
        merged["department_code"] = merged["department_code"].fillna(department_code or "")
        return merged
    return frame.merge(
        right.drop(columns=[c for c in ("department_code",) if c in right]), on=keys, how="left"
    )


def inspection_list(
    directory: Directory,
    draw: pd.DataFrame,
    *,
    assignment: pd.DataFrame | None = None,
    department_code: str | None = None,
) -> pd.DataFrame:
    """The 检查对象名单: one row per drawn entity (and department), keys of ``LIST_COLUMNS``."""
    look = Lookups(directory)
    frame = _department_column(draw, assignment, department_code)
    ent = look.entities.reindex(frame["uscc"])
    out = pd.DataFrame(
        {
            "draw_id": frame["draw_id"].to_numpy(),
            "department": frame["department_code"]
            .map(lambda c: look.departments.get(c, c))
            .to_numpy(),
            "uscc": frame["uscc"].to_numpy(),
            "name": ent["name"]
            .fillna(pd.Series(frame["name"].to_numpy(), index=ent.index))
            .to_numpy(),
            "entity_type": ent["entity_type"].fillna("").to_numpy(),
            "division": frame["region_code"].map(lambda c: look.divisions.get(c, c)).to_numpy(),
            "address": ent["address"].fillna("").to_numpy(),
            "legal_rep": ent["legal_rep"].fillna("").to_numpy(),
            "phone": ent["phone"].fillna("").to_numpy(),
            "tier": frame["tier"].to_numpy() if "tier" in frame else "",
            "inclusion_prob": frame["inclusion_prob"].astype(float).round(6).to_numpy(),
            "stratum": frame["stratum"].to_numpy(),
        }
    )
    items = frame["items"].fillna("") if "items" in frame else pd.Series("", index=frame.index)
    out["items"] = [
        look.items(d, u, i)
        for d, u, i in zip(frame["department_code"], frame["uscc"], items, strict=True)
    ]
    if assignment is not None:
        out["lead"] = (
            frame["lead_inspector_id"]
            .fillna("")
            .map(lambda i: look.person(i) if i else "")
            .to_numpy()
        )
        out["members"] = (
            frame["member_inspector_ids"]
            .fillna("")
            .map(lambda ids: "、".join(look.person(i) for i in split_list(ids)))
            .to_numpy()
        )
        out["scheduled_on"] = (
            pd.to_datetime(frame["scheduled_on"]).dt.strftime("%Y-%m-%d").fillna("").to_numpy()
        )
        out["cross_region"] = (
            frame["cross_region"].map({True: "是", False: "否"}).fillna("").to_numpy()
        )
    out = out.sort_values(["department", "division", "uscc"], kind="stable").reset_index(drop=True)
    out.insert(0, "seq", range(1, len(out) + 1))
    return out


@dataclass(frozen=True)
class TeamHeading:
    """The heading of one team's 检查任务单; its tasks are ``size`` rows of ``TaskSheets.tasks``."""

    team_no: int
    department: str
    division: str
    lead: str
    members: tuple[str, ...]
    first_day: str
    last_day: str
    size: int
    declaration: str = DECLARATION


@dataclass(frozen=True)
class TaskSheets:
    """Every team's 检查任务单: the headings, and one table holding all teams' tasks.

    ``tasks`` has the keys of ``TASK_COLUMNS`` plus ``team_no``, team after team
    in the order of ``teams`` (``size`` rows each). One table rather than a frame
    per team: a city division has ~2,200 teams, and a frame each cost more than
    writing the files.
    """

    teams: tuple[TeamHeading, ...]
    tasks: pd.DataFrame

    def __len__(self) -> int:
        return len(self.teams)

    def bounds(self) -> list[tuple[TeamHeading, int, int]]:
        """Each team with the first and past-the-last row of its tasks in ``tasks``."""
        out, start = [], 0
        for team in self.teams:
            out.append((team, start, start + team.size))
            start += team.size
        return out


def task_sheets(
    directory: Directory,
    draw: pd.DataFrame,
    assignment: pd.DataFrame,
    *,
    department_code: str | None = None,
) -> TaskSheets:
    """Per-team task sheets; a team is a lead with the same members (a joint visit's team once).

    Teams are numbered in the order of their ``lead|members`` key; a team's tasks
    are sorted by day and USCC, each entity once per department. All rows are
    sorted and deduplicated in one pass (team, day, USCC).
    """
    look = Lookups(directory)
    frame = _department_column(draw, assignment, department_code)
    frame = frame[frame["lead_inspector_id"].fillna("") != ""]
    keys = (frame["lead_inspector_id"] + "|" + frame["member_inspector_ids"].fillna("")).tolist()
    numbers = {key: n for n, key in enumerate(sorted(set(keys)), start=1)}
    ent = look.entities.reindex(frame["uscc"])
    frame = frame.assign(
        team_no=np.array([numbers[k] for k in keys], dtype=np.int64),
        entity_name=ent["name"].fillna("").to_numpy(),
        address=ent["address"].fillna("").to_numpy(),
        day=pd.to_datetime(frame["scheduled_on"]).dt.strftime("%Y-%m-%d").fillna("").to_numpy(),
    )
    frame = frame.sort_values(["team_no", "day", "uscc"], kind="stable").drop_duplicates(
        ["team_no", "uscc", "department_code"]
    )
    team_no = frame["team_no"].to_numpy()
    starts = np.flatnonzero(np.diff(team_no, prepend=-1))  # where each team's rows begin
    sizes = np.diff(np.append(starts, len(team_no)))
    items = frame["items"].fillna("") if "items" in frame else pd.Series("", index=frame.index)
    tasks = pd.DataFrame(
        {
            "seq": np.arange(len(frame), dtype=np.int64) - np.repeat(starts, sizes) + 1,
            "uscc": frame["uscc"].to_numpy(),
            "name": frame["entity_name"].to_numpy(),
            "address": frame["address"].to_numpy(),
            "items": [
                look.items(d, u, i)
                for d, u, i in zip(frame["department_code"], frame["uscc"], items, strict=True)
            ],
            "scheduled_on": frame["day"].to_numpy(),
            "department": frame["department_code"]
            .map(lambda c: look.departments.get(c, c))
            .to_numpy(),
            "team_no": team_no,
        }
    )
    keys_by_number = sorted(numbers, key=numbers.__getitem__)
    departments, days = tasks["department"].tolist(), tasks["scheduled_on"].tolist()
    regions = frame["region_code"].tolist()
    teams = []
    for start, size in zip(starts, sizes, strict=True):
        lo, hi = int(start), int(start + size)
        number = int(team_no[lo])
        lead, _, members = keys_by_number[number - 1].partition("|")
        teams.append(
            TeamHeading(
                team_no=number,
                department="、".join(sorted(set(departments[lo:hi]))),
                division="、".join(sorted({look.divisions.get(c, c) for c in regions[lo:hi]})),
                lead=look.person(lead),
                members=tuple(look.person(i) for i in split_list(members)),
                first_day=min(days[lo:hi]),
                last_day=max(days[lo:hi]),
                size=hi - lo,
            )
        )
    return TaskSheets(teams=tuple(teams), tasks=tasks)


def split_frame(frame: pd.DataFrame, split: Split) -> dict[str, pd.DataFrame]:
    """Sheets of a list by department or division (``{"": frame}`` for none)."""
    if split == "none":
        return {"": frame}
    column = {"department": "department", "division": "division"}[split]
    if column not in frame:
        raise ValueError(f"cannot split by {split}: the table has no {column!r} column")
    return {str(key): part.reset_index(drop=True) for key, part in frame.groupby(column, sort=True)}
