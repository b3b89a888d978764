"""Benchmark: policy sweep, 1M entities x 20 policies x 50 replications x 10 years (issue 16).

Runs the same sweep in-process (no dask), on a Dask ``LocalCluster`` with 1 worker
and with 2 workers, checks that the three give identical counts, and prints per
mode the wall time, the CPU time of this process and its worker processes, the
load average, and the scaling ratio (1 worker / 2 workers, in-process / 2 workers)
measured in the same run. 20 policies are a 5 x 4 grid over tiers A and D around
``weifang-default`` at its budget.

Usage: ``python benchmarks/bench_sweep.py [--size N] [--replications R] [--periods T]
[--block B] [--modes inprocess,local:1,local:2]``
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numpy as np

from scheduler.data.reference import default_preset, tier_scheme
from scheduler.simulation import parse_policy, synthetic_population
from scheduler.simulation.cluster import parse_cluster, run_tasks
from scheduler.simulation.sweep import grid_policies, parse_grid, run_sweep

GRID = "A=0.01:0.05:0.01,D=0.3:0.9:0.2"


def _cpu_seconds() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--block", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--modes", default="local:1,local:2,inprocess")
    args = parser.parse_args()

    scheme = tier_scheme("weifang-4")
    preset = default_preset()
    base = parse_policy(preset.name, scheme)
    policies = grid_policies(parse_grid(GRID, scheme), dict(preset.rates), scheme)
    population_seed, simulation_seed = np.random.SeedSequence(args.seed).spawn(2)
    population = synthetic_population(
        args.size, rng=np.random.default_rng(population_seed), scheme=scheme
    )
    steps = len(policies) * args.replications * args.periods
    print(
        f"sweep: {population.size:,} entities x {len(policies)} policies x "
        f"{args.replications} replications x {args.periods} years = {steps:,} period-steps, "
        f"{len(policies) * -(-args.replications // args.block)} tasks of {args.block} "
        f"replications; {os.cpu_count()} cores",
        flush=True,
    )
    walls: dict[str, float] = {}
    reference = None
    for mode in args.modes.split(","):
        spec = None if mode == "inprocess" else parse_cluster(mode)
        load = os.getloadavg()[0]
        cpu0, t0 = _cpu_seconds(), time.perf_counter()
        result = run_sweep(
            population,
            policies,
            periods=args.periods,
            replications=args.replications,
            seed=args.seed,
            simulation_seed=simulation_seed,
            preset=base,
            execute=lambda payload, tasks, spec=spec: run_tasks(payload, tasks, cluster=spec),
            block=args.block,
        ).result
        wall = time.perf_counter() - t0
        cpu = _cpu_seconds() - cpu0
        walls[mode] = wall
        same = (
            ""
            if reference is None
            else (
                ", counts identical to the first mode"
                if np.array_equal(reference, result.raw, equal_nan=True)
                else ", COUNTS DIFFER from the first mode"
            )
        )
        reference = result.raw if reference is None else reference
        print(
            f"{mode:>10}: wall {wall:7.1f} s, CPU {cpu:7.1f} s "
            f"({1000 * cpu / steps:.1f} ms per period-step), load average at start "
            f"{load:.1f}{same}",
            flush=True,
        )
    if "local:1" in walls and "local:2" in walls:
        print(f"scaling: 1 worker / 2 workers = {walls['local:1'] / walls['local:2']:.2f}x")
    if "inprocess" in walls and "local:2" in walls:
        print(f"scaling: in-process / 2 workers = {walls['inprocess'] / walls['local:2']:.2f}x")
    if "inprocess" in walls and "local:1" in walls:
        print(f"overhead: 1 worker / in-process = {walls['local:1'] / walls['inprocess']:.2f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
