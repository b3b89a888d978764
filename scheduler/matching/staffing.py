"""Staffing one department: the flow passes that give every task its inspectors.

Departments never share inspectors, so the problem splits exactly by
department. Within a department, same-division arcs split it by division:
pass 1 solves one flow per department x division (exact when cross-division is
not allowed). Pass 2 staffs the leftover slots across divisions with the
capacity pass 1 left. Pass 2 can miss a plan that a single department model
would find (pass 1 may spend an inspector that only could cover another
division's leftovers) and balances loads in two stages; so if pass 2 leaves
slots open, the whole department is solved again as one flow and the better
of the two is kept. Tasks still half-staffed are released and re-staffed whole
where the freed capacity allows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.matching.eligibility import DepartmentEligibility
from scheduler.matching.flow import FlowProblem, cross_cost, solve_flow
from scheduler.matching.result import AssignSettings

__all__ = ["Staffing", "staff_department"]


@dataclass(frozen=True)
class Staffing:
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


def staff_department(
    tasks: pd.DataFrame,
    elig: DepartmentEligibility,
    settings: AssignSettings,
    rng: np.random.Generator,
) -> Staffing:
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
    return Staffing(out_members, reasons, full_model)
