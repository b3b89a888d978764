"""Benchmark: the second random at Weifang scale (SPEC section 6).

50k tasks, 2.5k inspectors, 12 divisions, 34 departments; target <= 15 s and
<= 2 GB peak. Prints time, peak memory, the share of same-division rows, the
max/mean load ratio (load / capacity), and a baseline measured in the same run:
one plain SimpleMinCostFlow over the same-division eligibility arcs with no
workload steps (what any flow-based matcher costs at least). Memory is the process peak RSS
(``tracemalloc`` would slow the Python parts several-fold and distort the time).

``--compare-id-order K`` also times ``plan`` K times each, interleaved in this
process, with the flow in a random node order (now) and in inspector-id order
(before issue 11), and prints the CPU-time ratio: the cost of exact uniformity.

Run: ``.venv/bin/python benchmarks/bench_assign.py [--tasks N] [--inspectors M]
[--compare-id-order K]``
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date

import numpy as np

from scheduler.data.calendar import WorkingCalendar
from scheduler.matching import assign, check_assignment, plan, staffing
from scheduler.matching.eligibility import Exclusions, department_eligibility
from scheduler.matching.flow import NOISE, FlowProblem, solve_flow, solve_in_order
from scheduler.matching.result import AssignSettings
from scheduler.matching.synthetic import synthetic_instance
from scheduler.matching.tasks import build_tasks


def _baseline(directory, draws) -> float:
    """One flat flow per department, same-division arcs only, one workload step."""
    t0 = time.perf_counter()
    tasks = build_tasks(directory, draws, 2).tasks
    ex = Exclusions.from_directory(directory)
    rng = np.random.default_rng(0)
    for dept, rows in tasks.groupby("department_code"):
        elig = department_eligibility(directory, rows, str(dept), ex)
        same = rows["region_code"].to_numpy(dtype=str)[:, None] == elig.pool.region_code[None, :]
        tt, ii = np.nonzero(elig.eligible & same)
        solve_flow(
            FlowProblem(
                tt,
                ii,
                np.zeros(tt.size, dtype=np.int64),
                rows["slots"].to_numpy(),
                elig.pool.capacity,
                np.zeros(elig.pool.capacity.size, dtype=np.int64),
            ),
            rng=rng,
            buckets=1,
        )
    return time.perf_counter() - t0


def _id_order_flow(problem: FlowProblem, *, rng: np.random.Generator, buckets: int) -> np.ndarray:
    """The flow before issue 11: nodes in inspector-id order (biased among equals)."""
    identity = np.arange(problem.capacity.size)
    noise = rng.integers(0, NOISE, size=problem.arc_task.size, dtype=np.int64)
    return solve_in_order(problem, order=identity, position=identity, noise=noise, buckets=buckets)


def _compare_id_order(directory, draws, settings, calendar, seed: int, rounds: int) -> None:
    times: dict[str, list[float]] = {"random node order": [], "id order (before)": []}
    for _ in range(rounds):
        for name, flow in (
            ("random node order", solve_flow),
            ("id order (before)", _id_order_flow),
        ):
            staffing.solve_flow = flow
            c0 = time.process_time()
            plan(
                directory,
                draws,
                start=date(2026, 9, 1),
                end=date(2026, 11, 30),
                settings=settings,
                calendar=calendar,
                rng=seed,
            )
            times[name].append(time.process_time() - c0)
    staffing.solve_flow = solve_flow
    for name, values in times.items():
        print(
            f"plan CPU, {name}: median {np.median(values):.2f} s "
            f"({', '.join(f'{v:.2f}' for v in values)})"
        )
    ratio = np.median(times["random node order"]) / np.median(times["id order (before)"])
    print(f"ratio random / id order (median CPU): {ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--inspectors", type=int, default=2_500)
    parser.add_argument("--seed", type=int, default=20260901)
    parser.add_argument("--compare-id-order", type=int, default=0, metavar="K")
    args = parser.parse_args()
    directory, draws = synthetic_instance(
        args.tasks, args.inspectors, capacity=(50, 90), joint_share=0.02, rng=args.seed
    )
    n_tasks = sum(len(d.frame) for d in draws)
    print(
        f"instance: {n_tasks} tasks in {len(draws)} department draws, "
        f"{args.inspectors} inspectors, "
        f"{directory.regions.shape[0]} divisions"
    )
    baseline = _baseline(directory, draws)
    settings = AssignSettings(team_size=2, daily_limit=4, allow_partial=True)
    calendar = WorkingCalendar()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    result = assign(
        directory,
        draws,
        start=date(2026, 9, 1),
        end=date(2026, 11, 30),
        settings=settings,
        calendar=calendar,
        rng=args.seed,
    )
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    violations = check_assignment(result, directory, draws, calendar)
    check_time = time.perf_counter() - t1
    capacity = dict(
        zip(directory.inspectors["inspector_id"], directory.inspectors["capacity"], strict=True)
    )
    ratios = np.array([n / capacity[i] for i, n in result.loads().items()])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"assign (incl. checker{', diagnosis' if result.unassigned else ''}): {elapsed:.2f} s "
        f"(target <= 15 s), CPU {cpu:.2f} s; baseline flat flow {baseline:.2f} s, "
        f"ratio {elapsed / baseline:.1f}x"
    )
    print(
        f"process peak RSS {rss:.0f} MB (target <= 2048 MB; {rss_before:.0f} MB before assign: "
        f"interpreter, libraries, instance)"
    )
    print(
        f"rows {len(result.assignments)}, unassigned {len(result.unassigned)}, "
        f"violations {len(violations)} (checker alone {check_time:.2f} s)"
    )
    print(f"same-division share {result.same_region_share():.3f}")
    print(
        f"load/capacity: max {ratios.max():.3f}, mean {ratios.mean():.3f}, "
        f"max/mean {ratios.max() / ratios.mean():.2f}, p95 {np.quantile(ratios, 0.95):.3f} "
        "(same division comes before balance: a division short of staff fills its own first)"
    )
    print(f"departments solved as one model: {result.solver['full_model_departments']}")
    if args.compare_id_order:
        _compare_id_order(directory, draws, settings, calendar, args.seed, args.compare_id_order)


if __name__ == "__main__":
    main()
