"""Cost of the issue-15 frame options against the plain frame, in the same run.

Builds the MARKET frame of a synthetic directory (default 200,000 entities)
plain, with commitment checks (承诺核查), with repeat control by tier, and as
a joint frame with TAX; prints the median wall time of each and its ratio to
the plain frame.

    .venv/bin/python benchmarks/bench_frame_options.py [--entities N] [--repeats R]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from datetime import date

from scheduler.data.synth.generate import generate_directory
from scheduler.draw.frame import FrameRules, build_frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    directory = generate_directory(args.entities, max(600, args.entities // 50), rng=1)
    on = date(2026, 11, 1)
    plain = FrameRules("MARKET", on)
    variants = {
        "plain": plain,
        "verify_commitments": replace(plain, verify_commitments=date(2026, 12, 31)),
        "tier_months": replace(plain, tier_months=(("A", 24), ("B", 12), ("C", 6), ("D", 3))),
        "joint MARKET+TAX": replace(plain, joint_departments=("TAX",)),
    }
    times: dict[str, float] = {}
    for _ in range(args.repeats):  # interleaved, so load changes hit every variant alike
        for name, rules in variants.items():
            started = time.perf_counter()
            frame = build_frame(directory, rules)
            times.setdefault(name, [])  # type: ignore[arg-type]
            times[name].append(time.perf_counter() - started)  # type: ignore[attr-defined]
            times[name + ":size"] = frame.size  # type: ignore[assignment]
    base = statistics.median(times["plain"])  # type: ignore[arg-type]
    print(f"{args.entities} entities, median of {args.repeats} (interleaved)")
    for name in variants:
        median = statistics.median(times[name])  # type: ignore[arg-type]
        print(f"{name:>20}: {median:6.3f} s  x{median / base:4.2f}  frame {times[name + ':size']}")


if __name__ == "__main__":
    main()
