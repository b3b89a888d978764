"""Province size on PostgreSQL (issue 10): ``db load`` through COPY and ``draw --plan``.

Run by hand, not in CI. Against an *empty* PostgreSQL database (``--url``) and a
data folder (``--folder``, e.g. ``scheduler sample-data --entities 14000000
--inspectors 35000``), each command runs as a new process:

- ``db init`` then ``db load FOLDER`` (a first load: ``COPY`` into empty tables);
- ``plan create`` of a one-division plan (``--region``), then ``draw --plan ID``
  ``--repeat`` times (different seeds; a seed already drawn for the same
  plan and data is refused, so re-runs on a loaded database need ``--first-seed``);
- a baseline in the same run: a new process running ``scheduler --help``
  (interpreter start-up and the CLI's imports), so the figures can be read as
  ratios on a shared machine.

Each row prints the wall time (median and min-max spread), the child's peak
resident set (``wait4``) and, with ``--server-pid`` (the postmaster's PID, on
this host), the peak summed resident set of the server's processes sampled
every 0.2 s while the command ran (shared buffers counted once per process that
touched them: an upper bound). The issue's targets are printed next to them.

Usage::

    python benchmarks/bench_province.py --folder /work/data/shandong \\
        --url postgresql+psycopg://postgres@127.0.0.1:55432/shandong \\
        [--region 370702] [--repeat 3] [--server-pid PID] [--skip-load]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

TARGET_SECONDS, TARGET_MB = 15.0, 4096.0
"""Issue 10, province size: ``db load`` and ``draw --plan`` each <= 15 s and <= 4 GB."""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    server_mb: float
    output: str


def _children(pid: int) -> list[int]:
    found, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            text = Path(f"/proc/{parent}/task/{parent}/children").read_text()
        except OSError:
            continue
        kids = [int(k) for k in text.split()]
        found.extend(kids)
        frontier.extend(kids)
    return found


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/statm").read_text().split()
        except OSError:
            continue
        total += int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    return total / 2**20


def run(command: list[str], server_pid: int | None) -> Run:
    """Run ``command`` to completion: wall time, its peak RSS, the server's. Fails loudly."""
    peak_server = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_server
        while not done.is_set():
            peak_server = max(peak_server, _rss_mb(_children(server_pid or 0)))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True) if server_pid else None
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd="/")
    if sampler:
        sampler.start()
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    if sampler:
        sampler.join()
    text = output.decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{text[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, peak_server, text)


def scheduler(*args: str) -> list[str]:
    return [sys.executable, "-m", "scheduler", *args]


def measure(args: argparse.Namespace) -> dict[str, list[Run]]:
    url, pid = args.url, args.server_pid
    rows: dict[str, list[Run]] = {}
    rows["baseline: new process, scheduler --help"] = [
        run(scheduler("--help"), None) for _ in range(args.repeat)
    ]
    if not args.skip_load:
        run(scheduler("db", "init", "--url", url), None)
        rows["db load FOLDER (first load, COPY)"] = [
            run(scheduler("db", "load", str(args.folder), "--url", url), pid)
        ]
    plan = run(
        scheduler(
            "plan", "create", "--department", "MARKET", "--preset", "weifang-default",
            "--regions", args.region, "--start", "2026-12-01", "--end", "2026-12-31",
            "--url", url,
        ),
        None,
    )  # fmt: skip
    plan_id = plan.output.split()[1]
    rows[f"draw --plan {plan_id} (division {args.region})"] = [
        run(
            scheduler(
                "draw",
                "--plan",
                plan_id,
                "--seed",
                str(args.first_seed + k),
                "--reason",
                f"bench {k}",
                "--url",
                url,
            ),
            pid,
        )  # fmt: skip
        for k in range(args.repeat)
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--url", required=True, help="An empty PostgreSQL database.")
    parser.add_argument("--region", default="370702", help="The one-division plan's region.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--first-seed", type=int, default=100, help="Seeds used: this and the next ones."
    )
    parser.add_argument("--server-pid", type=int, help="The postmaster's PID (this host).")
    parser.add_argument("--skip-load", action="store_true", help="The database is loaded already.")
    args = parser.parse_args()
    args.folder = args.folder.resolve()
    rows = measure(args)
    baseline = statistics.median(r.seconds for r in rows[next(iter(rows))])
    print(f"{args.folder}: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'work':44} {'s (spread)':>18} {'x base':>7} {'peak MB':>8} {'server MB':>9}  target")
    for name, runs in rows.items():
        seconds = [r.seconds for r in runs]
        median = statistics.median(seconds)
        spread = f"{min(seconds):.1f}-{max(seconds):.1f}" if len(runs) > 1 else "one run"
        peak = max(r.peak_mb for r in runs)
        server = max(r.server_mb for r in runs)
        target = ""
        if not name.startswith("baseline"):
            met = median <= TARGET_SECONDS and peak <= TARGET_MB
            target = f"<= {TARGET_SECONDS:.0f} s, <= 4 GB: {'met' if met else 'NOT met'}"
        server_text = f"{server:9.0f}" if args.server_pid and server else f"{'-':>9}"
        print(
            f"{name:44} {f'{median:.1f} ({spread})':>18} {median / baseline:6.1f}x "
            f"{peak:8.0f} {server_text}  {target}"
        )


if __name__ == "__main__":
    main()
