"""The second random: staff every drawn task with a lawful random team, then date it.

``plan`` never raises on infeasibility: tasks it cannot staff or date are
returned in ``unassigned`` with the binding rule. ``assign`` (in ``api``) adds
the checker and the diagnosis on top.

Decomposition. Departments never share inspectors, so the staffing problem
splits exactly by department. Within a department, same-division arcs split it
by division: pass 1 solves one flow per department x division (exact when
cross-division is not allowed). Pass 2 staffs the leftover slots across
divisions with the capacity pass 1 left. Pass 2 can miss a plan that a single
department model would find (pass 1 may spend an inspector that only could
cover another division's leftovers) and balances loads in two stages; so if
pass 2 leaves slots open, the whole department is solved again as one flow
and the better of the two is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import ortools
import pandas as pd

from scheduler.calendar import WorkingCalendar
from scheduler.directory import Directory
from scheduler.matching.eligibility import DepartmentEligibility, Exclusions, department_eligibility
from scheduler.matching.flow import LOAD_STEP, NOISE, FlowProblem, cross_cost, solve_flow
from scheduler.matching.result import Assignment, AssignmentResult, AssignSettings, UnassignedTask
from scheduler.matching.schedule import schedule_visits
from scheduler.matching.tasks import DrawInput, TaskTable, build_tasks

__all__ = ["plan", "Progress"]

Progress = Callable[[str, int, int], None]
"""``progress(description, done, total)``, called between steps of a long run."""


@dataclass(frozen=True)
class _Staffing:
    members: list[np.ndarray]
    """Per task row: pool positions of its inspectors (empty if not fully staffed)."""
    reason: list[str]
    full_model: bool


def _complete_partial(
    t_all: np.ndarray,
    i_all: np.ndarray,
    demand: np.ndarray,
    allowed: np.ndarray,
    same: np.ndarray,
    capacity: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Release half-staffed tasks and re-staff whole ones where the freed capacity allows.

    A max-flow maximises filled *slots*, so when capacity is short it may fill one
    slot of many tasks instead of all slots of fewer. Only reached when some task
    cannot be staffed (a feasible plan never gets here). Tasks are retried one by
    one in random order, each taking its same-division, least-loaded eligible
    inspectors first.
    """
    filled = np.bincount(t_all, minlength=demand.size)
    partial = (filled > 0) & (filled < demand)
    keep = ~partial[t_all]
    t_all, i_all = t_all[keep], i_all[keep]
    load = np.bincount(i_all, minlength=capacity.size)
    new_t, new_i = [t_all], [i_all]
    for row in rng.permutation(np.nonzero(partial)[0]).tolist():
        free = allowed[row] & (load < capacity)
        if free.sum() < demand[row]:
            continue
        cols = np.nonzero(free)[0]
        order = np.lexsort((rng.random(cols.size), load[cols] / capacity[cols], ~same[row, cols]))
        chosen = cols[order[: demand[row]]]
        load[chosen] += 1
        new_t.append(np.full(chosen.size, row))
        new_i.append(chosen)
    return np.concatenate(new_t), np.concatenate(new_i)


def _staff_department(
    tasks: pd.DataFrame,
    elig: DepartmentEligibility,
    settings: AssignSettings,
    rng: np.random.Generator,
) -> _Staffing:
    pool = elig.pool
    demand = tasks["slots"].to_numpy(dtype=np.int64)
    task_region = tasks["region_code"].to_numpy(dtype=str)
    same = task_region[:, None] == pool.region_code[None, :]
    capacity = np.where(pool.active, pool.capacity, 0)
    cost_cross = cross_cost(settings.load_buckets)
    pass_rng, full_rng = rng.spawn(2)

    def run(
        task_rows: np.ndarray,
        ins_cols: np.ndarray,
        allowed: np.ndarray,
        load: np.ndarray,
        open_slots: np.ndarray,
        stream: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        tt, ii = np.nonzero(allowed)
        problem = FlowProblem(
            arc_task=tt,
            arc_inspector=ii,
            arc_cost=np.where(same[task_rows[tt], ins_cols[ii]], 0, cost_cross),
            demand=open_slots,
            capacity=capacity[ins_cols],
            load=load[ins_cols],
        )
        chosen = solve_flow(problem, rng=stream, buckets=settings.load_buckets)
        return task_rows[tt[chosen]], ins_cols[ii[chosen]]

    # Pass 1: per division, same-division inspectors only.
    load = np.zeros(capacity.size, dtype=np.int64)
    got_t, got_i = [], []
    for region in np.unique(task_region):
        rows = np.nonzero(task_region == region)[0]
        cols = np.nonzero(pool.region_code == region)[0]
        if cols.size == 0:
            continue
        t, i = run(rows, cols, elig.eligible[np.ix_(rows, cols)], load, demand[rows], pass_rng)
        got_t.append(t)
        got_i.append(i)
        np.add.at(load, i, 1)
    t_all = np.concatenate(got_t) if got_t else np.zeros(0, dtype=np.int64)
    i_all = np.concatenate(got_i) if got_i else np.zeros(0, dtype=np.int64)
    filled = np.bincount(t_all, minlength=demand.size)
    full_model = False
    if settings.allow_cross_region and (filled < demand).any():
        # Pass 2: leftovers across divisions, with what pass 1 left.
        rows = np.nonzero(filled < demand)[0]
        cols = np.arange(capacity.size)
        taken = np.zeros((rows.size, cols.size), dtype=bool)  # already on that task's team
        position = np.full(demand.size, -1)
        position[rows] = np.arange(rows.size)
        on_open = position[t_all] >= 0
        taken[position[t_all[on_open]], i_all[on_open]] = True
        t, i = run(
            rows, cols, elig.eligible[rows] & ~taken, load, demand[rows] - filled[rows], pass_rng
        )
        t_all, i_all = np.concatenate([t_all, t]), np.concatenate([i_all, i])
        filled = np.bincount(t_all, minlength=demand.size)
        if (filled < demand).any():
            # Pass 3: one exact model for the whole department.
            rows = np.arange(demand.size)
            t, i = run(rows, cols, elig.eligible, np.zeros_like(load), demand, full_rng)
            full_filled = np.bincount(t, minlength=demand.size)
            if (full_filled >= demand).sum() > (filled >= demand).sum():
                t_all, i_all, filled, full_model = t, i, full_filled, True
    if (filled < demand).any():
        t_all, i_all = _complete_partial(
            t_all,
            i_all,
            demand,
            elig.eligible & (same | settings.allow_cross_region),
            same,
            capacity,
            full_rng,
        )
        filled = np.bincount(t_all, minlength=demand.size)
    members: list[list[int]] = [[] for _ in range(demand.size)]
    for t, i in zip(t_all.tolist(), i_all.tolist(), strict=True):
        members[t].append(i)
    allowed = same if not settings.allow_cross_region else np.ones_like(same)
    n_qualified = (elig.qualified & allowed).sum(axis=1)
    n_eligible = (elig.eligible & allowed).sum(axis=1)
    out_members, reasons = [], []
    for row in range(demand.size):
        if filled[row] >= demand[row]:
            out_members.append(np.array(sorted(members[row]), dtype=np.int64))
            reasons.append("")
        else:
            out_members.append(np.zeros(0, dtype=np.int64))
            reasons.append(
                "no_qualified"
                if n_qualified[row] < demand[row]
                else "all_conflicted"
                if n_eligible[row] < demand[row]
                else "capacity"
            )
    return _Staffing(out_members, reasons, full_model)


def _solver_info(settings: AssignSettings, full_model_departments: list[str]) -> dict:
    return {
        "staffing": "ortools SimpleMinCostFlow.solve_max_flow_with_min_cost",
        "ortools_version": ortools.__version__,
        "decomposition": (
            "department x division, then cross-division leftovers, "
            "then the whole department if needed"
        ),
        "full_model_departments": full_model_departments,
        "tie_break_noise": NOISE,
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
        staffing = _staff_department(rows, elig, settings, streams[departments.index(dept)])
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
