"""Why a plan is infeasible, where, and the smallest relaxation that fixes it.

Rows are per department x division with at least one unassigned task. The
relaxations tried are: allow cross-division members (when not allowed), raise
the capacity of the division's qualified inspectors by k, extend the window by
d working days. Each one is *verified* by re-running the whole plan with the
same seed; k and d are the smallest values that work (doubling, then
bisection), so a reported relaxation is known to work, not guessed.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from scheduler.data.calendar import CalendarFallbackWarning, WorkingCalendar
from scheduler.data.directory import Directory
from scheduler.matching.eligibility import Exclusions, department_eligibility
from scheduler.matching.result import AssignmentResult, AssignSettings
from scheduler.matching.tasks import DrawInput, build_tasks

__all__ = [
    "DiagnosisRow",
    "Relaxation",
    "Diagnosis",
    "diagnose",
    "with_raised_capacity",
    "BINDING_LABELS",
    "BINDING_EN",
]

BINDING_LABELS = {
    "no_qualified": "无具备资格人员",
    "all_conflicted": "均需回避或轮换",
    "capacity": "任务容量不足",
    "calendar": "工作日不足",
}
BINDING_EN = {
    "no_qualified": "no qualified inspector",
    "all_conflicted": "all qualified inspectors conflicted or rotated out",
    "capacity": "capacity",
    "calendar": "calendar (daily limit x working days)",
}


@dataclass(frozen=True)
class DiagnosisRow:
    department_code: str
    region_code: str
    tasks: int
    unassigned: int
    slots_needed: int
    qualified_inspectors: int
    capacity_available: int
    shortfall: int
    """Inspector-slots missing: slots needed minus capacity available, at least the open slots."""
    binding: str


@dataclass(frozen=True)
class Relaxation:
    kind: str
    """``allow_cross_region``, ``raise_capacity`` or ``extend_window``."""
    amount: int
    description: str
    verified: bool = True
    cells: tuple[tuple[str, str], ...] = ()
    """(department, division) cells whose inspectors ``raise_capacity`` applies to."""


@dataclass(frozen=True)
class Diagnosis:
    rows: tuple[DiagnosisRow, ...]
    relaxations: tuple[Relaxation, ...]
    """Single relaxations, each enough on its own (verified)."""
    unassigned: int
    combination: tuple[Relaxation, ...] = ()
    """When no single one works: relaxations that work together (verified), else empty."""

    def to_rows(self, lang: str = "zh") -> list[dict[str, Any]]:
        """Rows for a table (dashboard): Chinese headers by default."""
        zh = lang == "zh"
        names = {
            "department_code": "部门",
            "region_code": "区县",
            "tasks": "任务数",
            "unassigned": "未分配",
            "slots_needed": "所需人次",
            "qualified_inspectors": "具备资格人员",
            "capacity_available": "可用容量",
            "shortfall": "缺口",
            "binding": "约束",
        }
        out = []
        for row in self.rows:
            record = {k: getattr(row, k) for k in names}
            record["binding"] = BINDING_LABELS.get(row.binding, row.binding) if zh else row.binding
            out.append({names[k] if zh else k: v for k, v in record.items()})
        return out

    def lines(self) -> list[str]:
        """One plain sentence per department x division (logs, narrow terminals)."""
        return [
            f"{r.department_code} / {r.region_code}: {r.unassigned} of {r.tasks} task(s) "
            f"unassigned; {r.slots_needed} inspector-slots needed, "
            f"{r.qualified_inspectors} qualified inspector(s) with "
            f"capacity {r.capacity_available}; shortfall {r.shortfall} slot(s); binding: "
            f"{BINDING_EN.get(r.binding, r.binding)}"
            for r in self.rows
        ]

    def render(self, console: Any, how: Callable[[Relaxation], str | None] | None = None) -> None:
        """Print the diagnosis as a rich table plus the verified relaxations.

        ``how(relaxation)``, if given, says how a front end applies it (the CLI: its option).
        """

        def item(x: Relaxation) -> str:
            hint = how(x) if how is not None else None
            return f"  - {x.description}" + (f" ({hint})" if hint else "")

        from rich.table import Table

        table = Table(
            title=f"Infeasible plan: {self.unassigned} task(s) cannot be staffed or dated"
        )
        for header in (
            "dept",
            "division",
            "tasks",
            "open",
            "slots",
            "qualified",
            "capacity",
            "short",
            "binding",
        ):
            table.add_column(header, overflow="fold")
        for r in self.rows:
            table.add_row(
                r.department_code,
                r.region_code,
                str(r.tasks),
                str(r.unassigned),
                str(r.slots_needed),
                str(r.qualified_inspectors),
                str(r.capacity_available),
                str(r.shortfall),
                r.binding,
            )
        console.print(table)
        for line in self.lines():
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        if self.relaxations:
            console.print(
                "Smallest relaxations that make the plan feasible (each verified by re-solving):"
            )
            for x in self.relaxations:
                console.print(item(x), markup=False, highlight=False, soft_wrap=True)
        elif self.combination:
            console.print(
                "No single relaxation suffices; together these make the plan feasible "
                "(verified by re-solving):"
            )
            for x in self.combination:
                console.print(item(x), markup=False, highlight=False, soft_wrap=True)
        else:
            console.print(
                "No relaxation tried makes the plan feasible: add qualified inspectors "
                "to the divisions above."
            )


def _rows(
    directory: Directory, draws: list[DrawInput], result: AssignmentResult
) -> list[DiagnosisRow]:
    s = result.settings
    tasks = build_tasks(directory, draws, s.team_size).tasks
    failed = pd.DataFrame(
        [(u.department_code, u.uscc, u.region_code, u.reason) for u in result.unassigned],
        columns=["department_code", "uscc", "region_code", "reason"],
    )
    failed = failed.drop_duplicates(["department_code", "uscc"])
    exclusions = Exclusions.from_directory(directory)
    rows = []
    for (dept, region), f in failed.groupby(["department_code", "region_code"], sort=True):
        group = tasks[(tasks["department_code"] == dept) & (tasks["region_code"] == region)]
        elig = department_eligibility(directory, group, dept, exclusions, s.qualification)
        local = elig.pool.region_code == region
        usable = elig.qualified[:, local].any(axis=0)
        capacity = int(elig.pool.capacity[local][usable].sum())
        slots = int(group["slots"].sum())
        open_slots = int(group[group["uscc"].isin(f["uscc"])]["slots"].sum())
        binding = Counter(f["reason"]).most_common(1)[0][0]
        shortfall = max(slots - capacity, open_slots) if binding == "capacity" else open_slots
        rows.append(
            DiagnosisRow(
                department_code=str(dept),
                region_code=str(region),
                tasks=len(group),
                unassigned=len(f),
                slots_needed=slots,
                qualified_inspectors=int(usable.sum()),
                capacity_available=capacity,
                shortfall=shortfall,
                binding=binding,
            )
        )
    return rows


def _smallest(works: Any, limit: int) -> int | None:
    """Smallest n in [1, limit] with works(n), assuming monotone; None if works(limit) fails."""
    hi = 1
    while hi < limit and not works(hi):
        hi = min(limit, hi * 2)
    if not works(hi):
        return None
    lo = hi // 2 + 1 if hi > 1 else 1
    while lo < hi:
        mid = (lo + hi) // 2
        if works(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi


def with_raised_capacity(
    directory: Directory, cells: set[tuple[str, str]] | tuple[tuple[str, str], ...], k: int
) -> Directory:
    """A copy of ``directory`` where every active inspector in ``cells`` (department,
    division) has ``k`` more capacity: how ``raise_capacity`` is applied and verified."""
    cells = set(cells)
    ins = directory.inspectors.copy()
    keys = list(
        zip(ins["department_code"].astype(str), ins["region_code"].astype(str), strict=True)
    )
    mask = np.array([key in cells for key in keys]) & ins["active"].to_numpy(dtype=bool)
    ins.loc[mask, "capacity"] = ins.loc[mask, "capacity"] + k
    return replace(directory, inspectors=ins)


def _cross() -> Relaxation:
    return Relaxation("allow_cross_region", 0, "allow cross-division inspectors")


def _capacity(k: int, cells: set[tuple[str, str]]) -> Relaxation:
    where = ", ".join(f"{d}/{r}" for d, r in sorted(cells))
    return Relaxation(
        "raise_capacity",
        k,
        f"raise the capacity of every qualified inspector in {where} by {k}",
        cells=tuple(sorted(cells)),
    )


def _window(d: int, new_end: date) -> Relaxation:
    return Relaxation(
        "extend_window", d, f"extend the window by {d} working days (to {new_end.isoformat()})"
    )


def diagnose(
    directory: Directory,
    draws: list[DrawInput],
    result: AssignmentResult,
    *,
    calendar: WorkingCalendar | None = None,
) -> Diagnosis:
    """Explain ``result``'s unassigned tasks and find verified relaxations.

    Single relaxations first; if none works alone, one combination (cross-division
    plus the smallest window extension or capacity raise) is searched and verified.
    """
    from scheduler.matching.solve import plan

    base = calendar or WorkingCalendar(result.extra_holidays, result.extra_workdays)
    # A private copy: the search may look into years without an official schedule, and
    # its fallback warnings must neither reach the user nor silence later real ones.
    calendar = WorkingCalendar(base.extra_holidays, base.extra_workdays)
    s = result.settings
    rows = _rows(directory, draws, result)
    seed = result.seed if result.seed is not None else 0

    def feasible(d: Directory, settings: AssignSettings, end: date) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CalendarFallbackWarning)
            return plan(
                d,
                draws,
                start=result.start,
                end=end,
                settings=settings,
                calendar=calendar,
                rng=seed,
            ).complete

    def later(n: int) -> date:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CalendarFallbackWarning)
            return calendar.add_working_days(result.end, n)

    relaxations: list[Relaxation] = []
    crossed = replace(s, allow_cross_region=True)
    if not s.allow_cross_region and feasible(directory, crossed, result.end):
        relaxations.append(_cross())
    staffing = {(r.department_code, r.region_code) for r in rows if r.binding == "capacity"}
    limit = max(r.slots_needed for r in rows) + 1
    if staffing:
        k = _smallest(
            lambda n: feasible(with_raised_capacity(directory, staffing, n), s, result.end), limit
        )
        if k is not None:
            relaxations.append(_capacity(k, staffing))
    if any(r.binding == "calendar" for r in rows):
        d = _smallest(lambda n: feasible(directory, s, later(n)), 260)
        if d is not None:
            relaxations.append(_window(d, later(d)))
    combination: tuple[Relaxation, ...] = ()
    if not relaxations and not s.allow_cross_region:
        d = _smallest(lambda n: feasible(directory, crossed, later(n)), 260)
        if d is not None:
            combination = (_cross(), _window(d, later(d)))
        else:
            cells = {(r.department_code, r.region_code) for r in rows}
            k = _smallest(
                lambda n: feasible(with_raised_capacity(directory, cells, n), crossed, result.end),
                limit,
            )
            if k is not None:
                combination = (_cross(), _capacity(k, cells))
    return Diagnosis(
        tuple(rows),
        tuple(relaxations),
        len({(u.department_code, u.uscc) for u in result.unassigned}),
        combination,
    )
