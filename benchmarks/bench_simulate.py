"""Benchmark: policy simulation, 1M entities x 12 periods x 50 replications (SPEC section 6).

Target: <= 60 s on 2 cores. Compares ``uniform`` with ``weifang-default`` (two
policies, so 1,200 period-steps over a million entities). Prints the wall time,
the peak resident memory of the main process and of the workers, and, as a
baseline measured in the same run, the cost of one period-step expressed in
``rng.random`` passes over the population and in exact draws
(``scheduler.draw.sampling.draw_sample``) of the same size.

Usage: ``python benchmarks/bench_simulate.py [--size N] [--periods T]
[--replications R] [--workers W]``
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from scheduler.data.reference import tier_scheme
from scheduler.draw.sampling import draw_sample
from scheduler.simulation import parse_policy, simulate, synthetic_population

TARGET_SECONDS = 60.0


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _cpu_seconds() -> float:
    """User + system time of this process and its finished worker processes."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _timed(fn, repeat: int = 5) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()

    scheme = tier_scheme("weifang-4")
    population = synthetic_population(args.size, rng=args.seed, scheme=scheme)
    policies = [parse_policy(p, scheme) for p in ("uniform", "weifang-default")]

    rng = np.random.default_rng(args.seed)
    random_pass = _timed(lambda: rng.random(args.size))
    rates = np.array(policies[1].weights)[population.tier]
    strata = population.region.astype(np.intp) * len(scheme.codes) + population.tier
    draw = _timed(lambda: draw_sample(rates, rng=rng, strata=strata))

    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    result = simulate(
        population,
        policies,
        periods=args.periods,
        replications=args.replications,
        rng=args.seed,
        workers=args.workers,
    )
    elapsed = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    steps = args.replications * args.periods * len(policies)
    per_step = cpu / steps  # CPU seconds per period-step

    print(
        f"simulation: {args.size:,} entities x {args.periods} periods x "
        f"{args.replications} replications x {len(policies)} policies, "
        f"{args.workers} worker(s)"
    )
    print(
        f"  wall time              {elapsed:8.1f} s   (target <= {TARGET_SECONDS:.0f} s: "
        f"{'OK' if elapsed <= TARGET_SECONDS else 'MISSED'})"
    )
    print(
        f"  CPU time               {cpu:8.1f} s   (/{args.workers} cores = "
        f"{cpu / args.workers:.1f} s: the wall time on an otherwise idle machine)"
    )
    print(f"  per period-step        {per_step * 1000:8.1f} ms of CPU")
    print(
        f"  baseline rng.random    {random_pass * 1000:8.1f} ms  -> a step costs "
        f"{per_step / random_pass:.1f} random passes"
    )
    print(
        f"  baseline draw_sample   {draw * 1000:8.1f} ms  -> a step costs "
        f"{per_step / draw:.1f} exact draws"
    )
    print(
        f"  peak memory: main {_peak_mb(resource.RUSAGE_SELF):.0f} MB, "
        f"largest worker {_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB"
    )
    hit = result.values[:, :, :, result.metric_index("hit_rate")].mean(axis=(0, 2))
    print(
        "  hit rate per 100 inspections: "
        + ", ".join(f"{p.name} {h:.2f}" for p, h in zip(result.policies, hit, strict=True))
    )


if __name__ == "__main__":
    main()
