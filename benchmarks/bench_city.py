"""City scale (issue 10): each command as a new process, wall time and peak memory.

Runs, against a data folder (e.g. ``scheduler sample-data --entities 1480000
--inspectors 3500``) and the embedded SQLite database:

- ``db load`` of the folder into a fresh database file, then a re-load of the
  unchanged folder;
- ``draw --plan ID`` (a stored one-division plan) on a copy of that database;
- ``assign --draw-id`` of that draw;
- the dashboard's cold open: a new Python process that renders the first
  page (总览) with Streamlit's ``AppTest``, imports included (a proxy for a
  new server process; the browser adds its own page load).

Each row is the median of ``--repeat`` runs, with the min-max spread (the
machine is shared: the spread is the noise). Peak memory is the child's
maximum resident set (``wait4``). ``--before-src DIR`` runs the same rows
with the code in ``DIR`` (e.g. ``git archive <commit> | tar -x -C DIR``) on
its own database copy, in the same run, and prints the ratio.

Usage::

    python benchmarks/bench_city.py --folder /work/data/weifang --work /tmp/city \\
        [--repeat 3] [--before-src DIR] [--region 370702]
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

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
COLD_OPEN = """
import sys, time
from streamlit.testing.v1 import AppTest
started = time.perf_counter()
at = AppTest.from_file(sys.argv[1], default_timeout=900).run()
assert not at.exception, at.exception
assert at.title and at.metric, "the overview did not render"
print(f"render {time.perf_counter() - started:.3f}")
"""
IMPORTS = "from streamlit.testing.v1 import AppTest; import pandas, sqlalchemy, altair"
"""The baseline of a cold open: what any new dashboard process imports before a page runs."""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    output: str = ""


def run(command: list[str], env: dict[str, str]) -> Run:
    """Run ``command`` to completion; its wall time and peak RSS. Fails loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd="/"
    )
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed:\n{output.decode(errors='replace')[-3000:]}"
        )
    return Run(seconds, usage.ru_maxrss / 1024, output.decode(errors="replace"))


def scheduler(*args: str) -> list[str]:
    return [sys.executable, "-m", "scheduler", *args]


def environment(url: str, source: Path | None) -> dict[str, str]:
    env = dict(os.environ, SCHEDULER_DATABASE_URL=url)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return env


def measure(folder: Path, work: Path, repeat: int, region: str, source: Path | None) -> dict:
    """Every row for one code version; returns ``{row: [Run, ...]}``."""
    work.mkdir(parents=True, exist_ok=True)
    app = source / "dashboard" / "app.py" if source is not None else APP
    rows: dict[str, list[Run]] = {}
    loaded = work / "loaded.db"
    for name in [p for p in work.iterdir() if p.name.startswith("loaded.db")]:
        name.unlink()
    env = environment(f"sqlite:///{loaded}", source)
    rows["db load (first, fresh file)"] = [run(scheduler("db", "load", str(folder)), env)]
    rows["db load (re-load, unchanged folder)"] = [
        run(scheduler("db", "load", str(folder)), env) for _ in range(repeat)
    ]
    plan = subprocess.run(
        scheduler(
            "plan", "create", "--department", "MARKET", "--preset", "weifang-default",
            "--regions", region, "--start", "2026-12-01", "--end", "2026-12-31",
        ),
        env=env, capture_output=True, text=True, check=True, cwd="/",
    )  # fmt: skip
    plan_id = plan.stdout.split()[1]
    draws = []
    for k in range(repeat):
        out = work / f"draw{k}.csv"
        draws.append(
            run(
                scheduler(
                    "draw",
                    "--plan",
                    plan_id,
                    "--seed",
                    str(100 + k),
                    "--reason",
                    f"bench {k}",
                    "--out",
                    str(out),
                ),
                env,
            )  # fmt: skip
        )
    rows["draw --plan (one division)"] = draws
    draw_id = next(
        line.split()[2]
        for line in subprocess.run(
            scheduler("draw", "--plan", plan_id, "--seed", "999", "--reason", "for assign",
                      "--out", str(work / "draw_assign.csv")),
            env=env, capture_output=True, text=True, check=True, cwd="/",
        ).stdout.splitlines()
        if line.startswith("recorded draw")
    )  # fmt: skip
    rows["assign --draw-id (one division)"] = [
        run(scheduler("assign", "--draw-id", draw_id, "--url", f"sqlite:///{loaded}",
                      "--seed", str(k), "--allow-partial", "--out", str(work / f"a{k}.csv")), env)
        for k in range(repeat)
    ]  # fmt: skip
    rows["baseline: a new process importing streamlit"] = [
        run([sys.executable, "-c", IMPORTS], env) for _ in range(repeat)
    ]
    rows["dashboard cold open (new process, 总览)"] = [
        run([sys.executable, "-c", COLD_OPEN, str(app)], env) for _ in range(repeat)
    ]
    rows["  of which the first page's script run"] = [
        Run(float(r.output.split()[-1]), r.peak_mb)
        for r in rows["dashboard cold open (new process, 总览)"]
    ]
    return rows


def summary(runs: list[Run]) -> tuple[float, str, float]:
    seconds = [r.seconds for r in runs]
    spread = f"{min(seconds):.1f}-{max(seconds):.1f}" if len(runs) > 1 else "one run"
    return statistics.median(seconds), spread, max(r.peak_mb for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="Scratch folder (databases).")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--region", default="370702", help="The one-division plan's region.")
    parser.add_argument("--before-src", type=Path, help="Source tree of the baseline code.")
    args = parser.parse_args()
    args.folder, args.work = args.folder.resolve(), args.work.resolve()
    after = measure(args.folder, args.work / "after", args.repeat, args.region, None)
    before = (
        measure(args.folder, args.work / "before", args.repeat, args.region, args.before_src)
        if args.before_src
        else None
    )
    print(f"{args.folder}: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    header = f"{'work':42} {'after s (spread)':>20} {'peak MB':>8}"
    if before:
        header += f" {'before s (spread)':>20} {'peak MB':>8} {'speed-up':>8}"
    print(header)
    for row, runs in after.items():
        median, spread, peak = summary(runs)
        line = f"{row:42} {f'{median:.1f} ({spread})':>20} {peak:8.0f}"
        if before:
            b_median, b_spread, b_peak = summary(before[row])
            line += f" {f'{b_median:.1f} ({b_spread})':>20} {b_peak:8.0f} {b_median / median:7.1f}x"
        print(line)
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
