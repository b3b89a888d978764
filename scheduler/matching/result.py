"""Typed results of the second random: settings, assignments, unassigned tasks.

Everything here is a frozen dataclass so that a result can be passed to the
checker, the CLI writer and the dashboard without anyone mutating it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from scheduler.data.formats import ColumnSpec as C
from scheduler.data.formats import TableSpec, join_list

__all__ = [
    "AssignSettings",
    "Assignment",
    "UnassignedTask",
    "AssignmentResult",
    "ASSIGNMENT_COLUMNS",
    "ASSIGNMENT_SPEC",
]

ASSIGNMENT_SPEC = TableSpec(
    "assignment",
    "检查任务分配",
    (
        C("draw_id", "抽查编号", "code", required=False),
        C("uscc", "统一社会信用代码", "uscc"),
        C("name", "名称", required=False, aliases=("主体名称",)),
        C("region_code", "行政区划代码", "code", required=False),
        C("lead_inspector_id", "组长执法证号", "code", aliases=("检查组长",)),
        C("member_inspector_ids", "组员执法证号", "list", required=False, aliases=("检查组员",)),
        C("scheduled_on", "计划检查日期", "date", required=False),
        C("cross_region", "跨区域", "bool", required=False),
        C("visit_id", "检查编号", required=False),
        C("department_code", "部门代码", "code", required=False),
        C("department_inspector_ids", "本部门检查人员", "list", required=False),
        C("items", "检查事项", required=False),
    ),
    key=("draw_id", "uscc", "department_code", "lead_inspector_id"),
)
"""The assignment CSV as read back (Chinese headers accepted); ``required`` is for
files a planner re-saved, our own writer always fills every column."""

ASSIGNMENT_COLUMNS: tuple[str, ...] = ASSIGNMENT_SPEC.column_names
"""Columns of the assignment CSV: SPEC section 4 first, then the joint-visit columns."""


@dataclass(frozen=True)
class AssignSettings:
    """The rules of a matching run (defaults are *policy*, SPEC section 1).

    ``qualification`` ``"any"``: an inspector qualified for at least one of the
    entity's sectors under the department may inspect it (an inspection checks
    one item list; each member brings one specialty). ``"all"`` demands every
    sector from every member.
    """

    team_size: int = 2
    daily_limit: int = 4
    allow_cross_region: bool = True
    allow_partial: bool = False
    qualification: Literal["any", "all"] = "any"
    load_buckets: int = 10
    """Steps of the convex workload cost (finer = more even loads, bigger model)."""

    def __post_init__(self) -> None:
        from scheduler.errors import InvalidInputError

        if self.team_size < 2:
            raise InvalidInputError(
                f"`team_size` must be >= 2 (行政处罚法 第42条); got {self.team_size}."
            )
        if self.daily_limit < 1:
            raise InvalidInputError(f"`daily_limit` must be >= 1; got {self.daily_limit}.")
        if self.qualification not in ("any", "all"):
            raise InvalidInputError(
                f"`qualification` must be 'any' or 'all'; got {self.qualification!r}."
            )
        if not 1 <= self.load_buckets <= 100:
            raise InvalidInputError(f"`load_buckets` must be in [1, 100]; got {self.load_buckets}.")


@dataclass(frozen=True)
class Assignment:
    """One department's task on one visit (one row of the assignment CSV).

    A joint visit (several departments on one entity) is several rows with the
    same ``visit_id``, lead, team and date; ``department_inspector_ids`` are the
    members this row's department supplies, ``items`` lists every item of the
    visit.
    """

    visit_id: str
    draw_id: str
    department_code: str
    uscc: str
    name: str
    region_code: str
    lead_inspector_id: str
    member_inspector_ids: tuple[str, ...]
    """The team except the lead (all departments of the visit)."""
    department_inspector_ids: tuple[str, ...]
    scheduled_on: date
    cross_region: bool
    items: tuple[str, ...]

    @property
    def team(self) -> tuple[str, ...]:
        return (self.lead_inspector_id, *self.member_inspector_ids)


@dataclass(frozen=True)
class UnassignedTask:
    """A task the plan could not staff or schedule, and why (never dropped silently)."""

    draw_id: str
    department_code: str
    uscc: str
    name: str
    region_code: str
    reason: str
    """``no_qualified``, ``all_conflicted``, ``capacity`` or ``calendar``."""


@dataclass(frozen=True)
class AssignmentResult:
    """A checked plan: who inspects what, when, under which rules and seed."""

    assignments: tuple[Assignment, ...]
    unassigned: tuple[UnassignedTask, ...]
    start: date
    end: date
    settings: AssignSettings
    seed: Any
    solver: dict[str, Any] = field(default_factory=dict)
    """Solver name, settings and OR-Tools version, for reproducibility."""
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    @property
    def complete(self) -> bool:
        return not self.unassigned

    def to_frame(self) -> pd.DataFrame:
        """The assignment CSV as a DataFrame (lists ``;``-joined, dates ISO)."""
        rows = [
            {
                "draw_id": a.draw_id,
                "uscc": a.uscc,
                "name": a.name,
                "region_code": a.region_code,
                "lead_inspector_id": a.lead_inspector_id,
                "member_inspector_ids": join_list(a.member_inspector_ids),
                "scheduled_on": a.scheduled_on.isoformat(),
                "cross_region": a.cross_region,
                "visit_id": a.visit_id,
                "department_code": a.department_code,
                "department_inspector_ids": join_list(a.department_inspector_ids),
                "items": join_list(a.items),
            }
            for a in self.assignments
        ]
        return pd.DataFrame(rows, columns=list(ASSIGNMENT_COLUMNS))

    def unassigned_frame(self) -> pd.DataFrame:
        cols = ["draw_id", "department_code", "uscc", "name", "region_code", "reason"]
        return pd.DataFrame(
            [{c: getattr(u, c) for c in cols} for u in self.unassigned], columns=cols
        )

    def loads(self) -> dict[str, int]:
        """Visits per inspector (a joint visit counts once)."""
        seen: dict[str, set[str]] = {}
        for a in self.assignments:
            for i in a.department_inspector_ids:
                seen.setdefault(i, set()).add(a.visit_id)
        return {i: len(v) for i, v in seen.items()}

    def same_region_share(self) -> float:
        """Share of visit rows whose whole team is from the entity's division."""
        if not self.assignments:
            return 1.0
        return sum(not a.cross_region for a in self.assignments) / len(self.assignments)
