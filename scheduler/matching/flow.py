"""One min-cost max-flow that staffs tasks with distinct inspectors.

Network: source -> inspector (one arc per workload step, capacity = the
inspector's remaining capacity split in steps, convex cost) -> task (capacity
1, so a team never holds the same inspector twice; cost = cross-division cost
plus a random tie-breaking cost) -> sink (capacity = the task's open slots).
``solve_max_flow_with_min_cost`` fills as many slots as the rules allow and,
among those plans, takes the cheapest: the fewest cross-division members, then
the most even loads, then the random tie-break.

Uniform among equals: the solver breaks equal costs by node and arc index, so
with integer noise (ties are frequent among many inspectors) the index order
decides. The network is therefore built in a random node order (an explicit
permutation of the inspectors, drawn from the seed) with arcs in (task, node)
order: inspectors equal in eligibility and load are then exactly exchangeable,
whatever their ids. Measured in ``docs/matching.md``: id order biased the
choice (up to 1.8x fair among 200 equals); wider noise only shrinks the bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

__all__ = ["FlowProblem", "solve_flow", "solve_in_order", "NOISE", "LOAD_STEP", "cross_cost"]

NOISE = 64
"""Tie-breaking costs are uniform integers in [0, NOISE): below one workload step.
Exactness does not rest on the width (ties are resolved by the random node order)."""
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


def _node_order(n_ins: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A uniformly random node order of the inspectors: (order, position).

    ``order[k]`` is the inspector at node ``1 + k``; ``position[i]`` is inspector
    ``i``'s node offset. The solver breaks equal costs by node and arc index, so
    the network is built entirely in this random order: nothing in it then
    depends on the input order (inspector ids), and inspectors equal in
    eligibility and load are exactly exchangeable.
    """
    order = rng.permutation(n_ins)
    position = np.empty(n_ins, dtype=np.int64)
    position[order] = np.arange(n_ins)
    return order, position


def solve_flow(problem: FlowProblem, *, rng: np.random.Generator, buckets: int) -> np.ndarray:
    """Boolean mask over the arcs: which (task, inspector) pairs are chosen.

    Draws the node order, then the tie-breaking costs, from ``rng``.
    """
    order, position = _node_order(problem.capacity.size, rng)
    noise = rng.integers(0, NOISE, size=problem.arc_task.size, dtype=np.int64)
    return solve_in_order(problem, order=order, position=position, noise=noise, buckets=buckets)


def solve_in_order(
    problem: FlowProblem,
    *,
    order: np.ndarray,
    position: np.ndarray,
    noise: np.ndarray,
    buckets: int,
) -> np.ndarray:
    """``solve_flow`` with a given node order and noise (``noise[k]`` goes to the k-th arc
    in (task, node) order). Public so that tests can feed a biased order, such as
    the inspector-id order used before, through the same statistical test."""
    n_arcs = problem.arc_task.size
    if n_arcs == 0 or problem.demand.sum() == 0:
        return np.zeros(n_arcs, dtype=bool)
    n_ins = problem.capacity.size
    n_tasks = problem.demand.size
    source, sink = 0, 1 + n_ins + n_tasks
    smcf = min_cost_flow.SimpleMinCostFlow()
    ins, units, cost = _load_arcs(problem.capacity[order], problem.load[order], buckets)
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.zeros(ins.size, dtype=np.int32),
        (1 + ins).astype(np.int32),
        units.astype(np.int64),
        cost.astype(np.int64),
    )
    node = position[problem.arc_inspector]
    # Arcs in (task, node) order, so arc indices carry no inspector order either.
    arcs = np.argsort(problem.arc_task.astype(np.int64) * n_ins + node, kind="stable")
    first_pair_arc = ins.size
    smcf.add_arcs_with_capacity_and_unit_cost(
        (1 + node[arcs]).astype(np.int32),
        (1 + n_ins + problem.arc_task[arcs]).astype(np.int32),
        np.ones(n_arcs, dtype=np.int64),
        problem.arc_cost[arcs].astype(np.int64) + noise,
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
    chosen = np.zeros(n_arcs, dtype=bool)
    chosen[arcs] = np.asarray(flows) > 0
    return chosen
