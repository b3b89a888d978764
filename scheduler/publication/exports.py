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

import pandas as pd

from scheduler.data.directory import Directory
from scheduler.data.formats import split_list

__all__ = [
    "LIST_COLUMNS",
    "TASK_COLUMNS",
    "DECLARATION",
    "TaskSheet",
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
class TaskSheet:
    """One team's 检查任务单."""

    team_no: int
    department: str
    division: str
    lead: str
    members: tuple[str, ...]
    first_day: str
    last_day: str
    tasks: pd.DataFrame
    """Keys of ``TASK_COLUMNS``."""
    declaration: str = DECLARATION


def task_sheets(
    directory: Directory,
    draw: pd.DataFrame,
    assignment: pd.DataFrame,
    *,
    department_code: str | None = None,
) -> list[TaskSheet]:
    """Per-team task sheets; a team is a lead with the same members (a joint visit's team once)."""
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
            TaskSheet(
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


def split_frame(frame: pd.DataFrame, split: Split) -> dict[str, pd.DataFrame]:
    """Sheets of a list by department or division (``{"": frame}`` for none)."""
    if split == "none":
        return {"": frame}
    column = {"department": "department", "division": "division"}[split]
    if column not in frame:
        raise ValueError(f"cannot split by {split}: the table has no {column!r} column")
    return {str(key): part.reset_index(drop=True) for key, part in frame.groupby(column, sort=True)}
