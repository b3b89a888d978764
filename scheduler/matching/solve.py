"""The second random: staff every drawn task with a lawful random team, then date it.

``plan`` never raises on infeasibility: tasks it cannot staff or date are
returned in ``unassigned`` with the binding rule. ``assign`` (in ``api``) adds
the checker and the diagnosis on top. Staffing per department is in
``staffing`` (decomposition and its limits are described there), dates in
``schedule``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import ortools
import pandas as pd

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.directory import Directory
from scheduler.matching.eligibility import Exclusions, department_eligibility
from scheduler.matching.flow import LOAD_STEP, NOISE, cross_cost
from scheduler.matching.result import Assignment, AssignmentResult, AssignSettings, UnassignedTask
from scheduler.matching.schedule import schedule_visits
from scheduler.matching.staffing import staff_department
from scheduler.matching.tasks import DrawInput, TaskTable, build_tasks

__all__ = ["plan", "Progress"]

Progress = Callable[[str, int, int], object]
"""``progress(description, done, total)``, called between steps of a long run."""


def _solver_info(settings: AssignSettings, full_model_departments: list[str]) -> dict[str, Any]:
    return {
        "staffing": "ortools SimpleMinCostFlow.solve_max_flow_with_min_cost",
        "ortools_version": ortools.__version__,
        "decomposition": (
            "department x division, then cross-division leftovers, "
            "then the whole department if needed"
        ),
        "full_model_departments": full_model_departments,
        "tie_break_noise": NOISE,
        "node_order": "random permutation of the inspectors, per flow, from the seed",
        "load_step_cost": LOAD_STEP,
        "load_buckets": settings.load_buckets,
        "cross_region_cost": cross_cost(settings.load_buckets),
        "dates": "greedy, hardest visit first, 3 attempts",
    }


def _department_order(directory: Directory, table: TaskTable) -> list[str]:
    known = sorted(map(str, directory.departments["code"]))
    return known + sorted(set(table.tasks["department_code"]) - set(known))


def plan(
    directory: Directory,
    draws: list[DrawInput],
    *,
    start: date,
    end: date,
    settings: AssignSettings | None = None,
    calendar: WorkingCalendar | None = None,
    rng: np.random.Generator | int | None = None,
    progress: Progress | None = None,
) -> AssignmentResult:
    """Staff and date every task of ``draws``; what cannot be done goes to ``unassigned``.

    Random streams: one per department (indexed by the department's position in
    the directory, so adding another department's draw changes nothing for
    this one), one for leads and one for dates.
    """
    settings = settings or AssignSettings()
    calendar = calendar if calendar is not None else WorkingCalendar()
    seed = rng if isinstance(rng, (int, np.integer)) else None
    rng = np.random.default_rng(rng)
    table = build_tasks(directory, draws, settings.team_size)
    departments = _department_order(directory, table)
    streams = rng.spawn(len(departments) + 2)
    lead_rng, date_rng = streams[-2], streams[-1]
    tasks = table.tasks
    exclusions = Exclusions.from_directory(directory, usccs=table.visits["uscc"])
    n_tasks = len(tasks)
    task_members: list[list[str]] = [[] for _ in range(n_tasks)]
    task_regions: list[list[str]] = [[] for _ in range(n_tasks)]
    task_reason = [""] * n_tasks
    full_model_departments: list[str] = []
    present = sorted(set(tasks["department_code"]))
    for done, dept in enumerate(present):
        if progress:
            progress(f"staffing {dept}", done, len(present))
        rows = tasks[tasks["department_code"] == dept]
        elig = department_eligibility(directory, rows, dept, exclusions, settings.qualification)
        staffing = staff_department(rows, elig, settings, streams[departments.index(dept)])
        if staffing.full_model:
            full_model_departments.append(dept)
        for task_id, members, reason in zip(
            rows["task"], staffing.members, staffing.reason, strict=True
        ):
            task_members[task_id] = [str(x) for x in elig.pool.inspector_id[members]]
            task_regions[task_id] = [str(x) for x in elig.pool.region_code[members]]
            task_reason[task_id] = reason
    if progress:
        progress("scheduling", len(present), len(present))
    # Visits: all their tasks staffed, or none.
    visit_tasks: dict[int, list[int]] = {}
    for task_id, v in zip(tasks["task"].tolist(), tasks["visit"].tolist(), strict=True):
        visit_tasks.setdefault(v, []).append(task_id)
    visit_reason = {
        v: next((task_reason[t] for t in ts if task_reason[t]), "") for v, ts in visit_tasks.items()
    }
    ok_visits = [v for v, reason in visit_reason.items() if not reason]
    inspector_index: dict[str, int] = {}
    teams: list[list[str]] = []
    lead_draw = lead_rng.random(len(ok_visits))
    for v, u in zip(ok_visits, lead_draw.tolist(), strict=True):
        team = [i for t in visit_tasks[v] for i in task_members[t]]
        lead = int(u * len(team))  # the lead is a member chosen uniformly at random
        team = [team[lead], *team[:lead], *team[lead + 1 :]]
        teams.append(team)
        for i in team:
            inspector_index.setdefault(i, len(inspector_index))
    region_codes = table.visits["region_code"].to_numpy(dtype=object)
    region_int = pd.factorize(region_codes[np.array(ok_visits, dtype=np.int64)])[0]
    days = calendar.working_days(start, end)
    day_of = schedule_visits(
        [np.array([inspector_index[i] for i in team]) for team in teams],
        region_int,
        len(inspector_index),
        len(days),
        settings.daily_limit,
        rng=date_rng,
    )
    col = {
        c: tasks[c].to_numpy(dtype=object)
        for c in (
            "visit_id",
            "draw_ids",
            "department_code",
            "uscc",
            "name",
            "region_code",
            "sectors",
            "visit",
        )
    }
    assignments: list[Assignment] = []
    for v, team, d in zip(ok_visits, teams, day_of.tolist(), strict=True):
        if d < 0:
            visit_reason[v] = "calendar"
            continue
        items = tuple(
            f"{col['department_code'][t]}:{','.join(col['sectors'][t])}".rstrip(":")
            for t in visit_tasks[v]
        )
        for t in visit_tasks[v]:
            own = tuple(task_members[t])
            region = col["region_code"][t]
            cross = any(r != region for r in task_regions[t])
            for draw_id in col["draw_ids"][t]:
                assignments.append(
                    Assignment(
                        visit_id=col["visit_id"][t],
                        draw_id=draw_id,
                        department_code=col["department_code"][t],
                        uscc=col["uscc"][t],
                        name=col["name"][t],
                        region_code=region,
                        lead_inspector_id=team[0],
                        member_inspector_ids=tuple(team[1:]),
                        department_inspector_ids=own,
                        scheduled_on=days[d],
                        cross_region=cross,
                        items=items,
                    )
                )
    unassigned = [
        UnassignedTask(
            draw_id,
            col["department_code"][t],
            col["uscc"][t],
            col["name"][t],
            col["region_code"][t],
            task_reason[t] or visit_reason[col["visit"][t]],
        )
        for t in range(n_tasks)
        if visit_reason[col["visit"][t]]
        for draw_id in col["draw_ids"][t]
    ]
    return AssignmentResult(
        assignments=tuple(assignments),
        unassigned=tuple(unassigned),
        start=start,
        end=end,
        settings=settings,
        seed=int(seed) if seed is not None else None,
        solver=_solver_info(settings, full_model_departments),
        extra_holidays=calendar.extra_holidays,
        extra_workdays=calendar.extra_workdays,
    )
