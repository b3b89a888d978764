"""City scale (issue 10): ``draw --plan`` and ``assign --draw-id`` as new CLI processes, A/B.

Runs on copies of an already loaded database (``bench_city.py`` also times the
load itself, which takes minutes): each code version gets its own copy, the
same one-division plan, the same draw seeds and assignment seeds. The two
versions run in turn (before, after, before, after, ...) so that both meet the
same machine load, and every row prints the median wall time with its min-max
spread, the median CPU time (user + system of the child: less sensitive to a
shared machine than the wall time) and the peak resident set (``wait4``).

It then checks that both versions recorded the same draw ids and wrote
byte-identical draw CSVs and assignment CSVs.

Usage::

    git archive main | tar -x -C /tmp/before     # the baseline code
    python benchmarks/bench_cli_city.py --db /work/data/weifang.db --work /tmp/cli-bench \\
        --before-src /tmp/before [--repeat 3] [--region 370702]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

AFTER_SRC = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float
    peak_mb: float
    output: str


def run(command: list[str], env: dict[str, str]) -> Run:
    """Run ``command`` to completion: wall time, CPU time and peak RSS. Fails loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd="/"
    )
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    text = output.decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{text[-3000:]}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def scheduler(*args: str) -> list[str]:
    return [sys.executable, "-m", "scheduler", *args]


@dataclass
class Version:
    name: str
    source: Path
    work: Path
    plan_id: str = ""

    @property
    def env(self) -> dict[str, str]:
        return dict(
            os.environ,
            SCHEDULER_DATABASE_URL=f"sqlite:///{self.work / 'w.db'}",
            PYTHONPATH=str(self.source),
            COLUMNS="200",
        )


def prepare(version: Version, db: Path, region: str) -> None:
    """A private copy of the loaded database and one one-division plan in it."""
    shutil.rmtree(version.work, ignore_errors=True)
    version.work.mkdir(parents=True)
    shutil.copyfile(db, version.work / "w.db")
    done = run(
        scheduler(
            "plan", "create", "--department", "MARKET", "--preset", "weifang-default",
            "--regions", region, "--start", "2026-12-01", "--end", "2026-12-31",
        ),
        version.env,
    )  # fmt: skip
    version.plan_id = done.output.split()[1]


def draw(version: Version, seed: int) -> tuple[Run, str]:
    out = version.work / f"draw{seed}.csv"
    done = run(
        scheduler("draw", "--plan", version.plan_id, "--seed", str(seed), "--reason",
                  f"bench {seed}", "--out", str(out)),
        version.env,
    )  # fmt: skip
    draw_id = next(
        line.split()[2] for line in done.output.splitlines() if line.startswith("recorded draw")
    )
    return done, draw_id


def assign(version: Version, draw_id: str, seed: int) -> Run:
    out = version.work / f"assign{seed}.csv"
    return run(
        scheduler("assign", "--draw-id", draw_id, "--seed", str(seed), "--allow-partial",
                  "--reason", f"bench {seed}", "--out", str(out)),
        version.env,
    )  # fmt: skip


def summary(runs: list[Run]) -> str:
    seconds = [r.seconds for r in runs]
    cpu = statistics.median(r.cpu for r in runs)
    return (
        f"{statistics.median(seconds):6.2f} ({min(seconds):.2f}-{max(seconds):.2f})"
        f" cpu {cpu:5.2f} {max(r.peak_mb for r in runs):6.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="A loaded database (read only).")
    parser.add_argument("--work", type=Path, required=True, help="Scratch folder (copies).")
    parser.add_argument("--before-src", type=Path, required=True, help="Baseline source tree.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--region", default="370702", help="The one-division plan's region.")
    args = parser.parse_args()
    versions = [
        Version("before", args.before_src.resolve(), args.work.resolve() / "before"),
        Version("after", AFTER_SRC, args.work.resolve() / "after"),
    ]
    for version in versions:
        prepare(version, args.db, args.region)
    loads = [os.getloadavg()[0]]
    draws: dict[str, list[Run]] = {v.name: [] for v in versions}
    ids: dict[str, list[str]] = {v.name: [] for v in versions}
    for k in range(args.repeat):
        for version in versions:
            done, draw_id = draw(version, 100 + k)
            draws[version.name].append(done)
            ids[version.name].append(draw_id)
    for version in versions:
        _, draw_id = draw(version, 999)
        ids[version.name].append(draw_id)
    assigns: dict[str, list[Run]] = {v.name: [] for v in versions}
    for k in range(args.repeat):
        for version in versions:
            assigns[version.name].append(assign(version, ids[version.name][-1], k))
    loads.append(os.getloadavg()[0])

    print(f"{args.db}: load average {loads[0]:.1f} at the start, {loads[1]:.1f} at the end, "
          f"{os.cpu_count()} cores; {args.repeat} runs each, in turn")  # fmt: skip
    print(f"{'work':30} {'version':7} {'wall s median (min-max), cpu s, peak':>44}")
    for row, runs in (("draw --plan (one division)", draws), ("assign --draw-id", assigns)):
        for version in versions:
            print(f"{row:30} {version.name:7} {summary(runs[version.name]):>44}")
        ratio = [b.seconds / a.seconds for b, a in zip(runs["before"], runs["after"], strict=True)]
        cpu = [b.cpu / a.cpu for b, a in zip(runs["before"], runs["after"], strict=True)]
        spread = f"({min(ratio):.2f}-{max(ratio):.2f})"
        print(
            f"{'':30} {'ratio':7} before/after wall {statistics.median(ratio):.2f}x {spread}, "
            f"cpu {statistics.median(cpu):.2f}x"
        )
    same_ids = ids["before"] == ids["after"]
    print(f"draw ids {'identical' if same_ids else 'DIFFER'}: {' '.join(ids['after'])}")
    files = [f"draw{100 + k}.csv" for k in range(args.repeat)] + ["draw999.csv"]
    files += [f"assign{k}.csv" for k in range(args.repeat)]
    differ = [
        name
        for name in files
        if (versions[0].work / name).read_bytes() != (versions[1].work / name).read_bytes()
    ]
    print(f"{len(files)} draw and assignment CSVs: "
          f"{'byte-identical' if not differ else 'DIFFER: ' + ', '.join(differ)}")  # fmt: skip
    shutil.rmtree(args.work, ignore_errors=True)
    if not same_ids or differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
