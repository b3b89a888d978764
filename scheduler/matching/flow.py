"""One min-cost max-flow that staffs tasks with distinct inspectors.

Network: source -> inspector (one arc per workload step, capacity = the
inspector's remaining capacity split in steps, convex cost) -> task (capacity
1, so a team never holds the same inspector twice; cost = cross-division cost
plus a random tie-breaking cost) -> sink (capacity = the task's open slots).
``solve_max_flow_with_min_cost`` fills as many slots as the rules allow and,
among those plans, takes the cheapest: the fewest cross-division members, then
the most even loads, then the random tie-break, which makes the choice among
equally good plans uniform and reproducible from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

__all__ = ["FlowProblem", "solve_flow", "NOISE", "LOAD_STEP", "cross_cost"]

NOISE = 64
"""Tie-breaking costs are uniform integers in [0, NOISE): below one workload step."""
LOAD_STEP = 1_000
"""Cost unit of the workload steps (step j costs LOAD_STEP * j**2, convex)."""


def cross_cost(buckets: int) -> int:
    """Cost of one cross-division member: above any workload step, so crossing
    happens only when the division cannot staff the task."""
    return LOAD_STEP * (buckets + 1) ** 2


@dataclass(frozen=True)
class FlowProblem:
    """Arcs (task, inspector) with structural costs; task demand; inspector capacity/load."""

    arc_task: np.ndarray
    arc_inspector: np.ndarray
    arc_cost: np.ndarray
    demand: np.ndarray
    capacity: np.ndarray
    load: np.ndarray


def _load_arcs(
    capacity: np.ndarray, load: np.ndarray, buckets: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inspector, units, cost) of the workload steps still open."""
    remaining = np.clip(capacity - load, 0, None)
    owner = np.repeat(np.arange(len(capacity)), remaining)
    if owner.size == 0:
        return owner, owner, owner
    first = np.repeat(np.cumsum(remaining) - remaining, remaining)
    unit = load[owner] + (np.arange(owner.size) - first)  # 0-based index of the unit
    step = (unit * buckets) // np.maximum(capacity[owner], 1)
    keys, units = np.unique(owner * (buckets + 1) + step, return_counts=True)
    inspector = keys // (buckets + 1)
    step = keys % (buckets + 1)
    return inspector, units, LOAD_STEP * step * step


def solve_flow(problem: FlowProblem, *, rng: np.random.Generator, buckets: int) -> np.ndarray:
    """Boolean mask over the arcs: which (task, inspector) pairs are chosen."""
    n_arcs = problem.arc_task.size
    if n_arcs == 0 or problem.demand.sum() == 0:
        return np.zeros(n_arcs, dtype=bool)
    n_ins = problem.capacity.size
    n_tasks = problem.demand.size
    source, sink = 0, 1 + n_ins + n_tasks
    smcf = min_cost_flow.SimpleMinCostFlow()
    ins, units, cost = _load_arcs(problem.capacity, problem.load, buckets)
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.zeros(ins.size, dtype=np.int32),
        (1 + ins).astype(np.int32),
        units.astype(np.int64),
        cost.astype(np.int64),
    )
    noise = rng.integers(0, NOISE, size=n_arcs, dtype=np.int64)
    first_pair_arc = ins.size
    smcf.add_arcs_with_capacity_and_unit_cost(
        (1 + problem.arc_inspector).astype(np.int32),
        (1 + n_ins + problem.arc_task).astype(np.int32),
        np.ones(n_arcs, dtype=np.int64),
        problem.arc_cost.astype(np.int64) + noise,
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        (1 + n_ins + np.arange(n_tasks)).astype(np.int32),
        np.full(n_tasks, sink, dtype=np.int32),
        problem.demand.astype(np.int64),
        np.zeros(n_tasks, dtype=np.int64),
    )
    total = int(problem.demand.sum())
    smcf.set_node_supply(source, total)
    smcf.set_node_supply(sink, -total)
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(np.arange(first_pair_arc, first_pair_arc + n_arcs, dtype=np.int32))
    return np.asarray(flows) > 0
