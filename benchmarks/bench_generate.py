"""Benchmark: generate and write a synthetic directory of 1,000,000 entities.

Target (issue "Foundation", part 4): 1M entities generated AND written as CSV
in well under a minute (aim: < 20 s). Baselines measured in the same run:
one ``rng.random`` pass over the entities (the cost floor of any vectorised
column) and a 100k generation (to show the scaling is linear). Peak memory is
the process's maximum resident set size (tracemalloc is not used: it would
slow the million small string allocations down and distort the timing).

Run: ``.venv/bin/python benchmarks/bench_generate.py [--entities N] [--inspectors M]``
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from scheduler.data.folder_writer import write_folder
from scheduler.data.synth.generate import generate_directory


def _timed(label: str, action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:9.3f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    n, m = args.entities, args.inspectors

    rng = np.random.default_rng(0)
    _, floor = _timed(f"baseline: rng.random({n:,})", lambda: rng.random(n))
    _, small = _timed(
        "baseline: generate 100,000 entities",
        lambda: generate_directory(100_000, max(600, m // 10), rng=args.seed),
    )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    directory, generate = _timed(
        f"generate {n:,} entities, {m:,} inspectors",
        lambda: generate_directory(n, m, rng=args.seed),
    )
    with tempfile.TemporaryDirectory() as folder:
        written, write = _timed("write the CSV folder", lambda: write_folder(directory, folder))
        size = sum(Path(p).stat().st_size for p in written)
    total = generate + write

    print()
    for name, frame in directory.tables().items():
        print(f"  {name:<12} {len(frame):>10,} rows")
    print(f"  folder size  {size / 1e6:>10,.0f} MB")
    print()
    print(f"generate + write: {total:.1f} s (target < 60 s, aim < 20 s)")
    print(f"generation / rng.random pass: {generate / floor:,.0f}x")
    print(f"generation {n:,} / 100,000: {generate / small:.1f}x for {n / 100_000:.0f}x the rows")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak resident set size: {rss / 2**10:,.0f} MiB")
    print(f"  (after the baselines, before the big run: {rss_before / 2**10:,.0f} MiB)")


if __name__ == "__main__":
    main()
