"""City scale (issue 10): each command as a new process, wall time and peak memory.

Runs, against a data folder (e.g. ``scheduler sample-data --entities 1480000
--inspectors 3500``) and the embedded SQLite database:

- ``db load`` of the folder into a fresh database file, then a re-load of the
  unchanged folder;
- ``draw --plan ID`` (a stored one-division plan) on a copy of that database;
- ``assign --draw-id`` of that draw;
- the dashboard's cold open as a user sees it: ``scheduler dashboard`` started
  as a new process, timed until its health endpoint answers and until headless
  Chromium (Playwright, as ``tests/integration/test_browser.py``) shows the 总览 heading and
  its metrics; the browser is started beforehand (a user already has one open);
- the first page's script run in a new process with Streamlit's ``AppTest``
  (no server, no browser: what the page itself costs, imports included).

Each row is the median of ``--repeat`` runs, with the min-max spread (the
machine is shared: the spread is the noise). Peak memory is the child's
maximum resident set (``wait4``). ``--before-src DIR`` runs the same rows
with the code in ``DIR`` (e.g. ``git archive <commit> | tar -x -C DIR``) on
its own database copy, in the same run, and prints the ratio.

Usage::

    python benchmarks/bench_city.py --folder /work/data/weifang --work /tmp/city \\
        [--repeat 3] [--before-src DIR] [--region 370702]
    python benchmarks/bench_city.py --database weifang.db --work /tmp/city --only-dashboard \\
        [--before-src DIR]   # copies a loaded database instead of loading the folder

Chromium: ``SCHEDULER_CHROMIUM`` (default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
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
CHROMIUM = os.environ.get("SCHEDULER_CHROMIUM", "/usr/bin/chromium")
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
"""Streamlit marks its root element this way once a script run has finished."""
IMPORTS = "from streamlit.testing.v1 import AppTest; import pandas, sqlalchemy, altair"
HELLO = """
import streamlit as st

st.title("Hello")
st.metric("Entities", "1,480,000")
"""
"""The floor of a cold open: a hello-world page (title and one metric), same server options."""
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _serve_and_show(
    command: list[str], env: dict[str, str], browser, port: int, heading: str, timeout: float
) -> dict[str, float]:
    """Start ``command`` (a server on ``port``), open it in ``browser`` until ``heading`` shows.

    Returns seconds since the process start: ``health`` (``/_stcore/health``
    answers), ``websocket`` (the page's session socket opened), ``first_frame``
    (the server's first message on it), ``heading`` (visible) and ``shown``
    (a metric visible and the script run finished).
    """
    from playwright.sync_api import expect

    url = f"http://localhost:{port}"
    marks: dict[str, float] = {}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip

    def mark(name: str) -> None:
        marks.setdefault(name, time.perf_counter() - started)

    def on_socket(socket) -> None:
        mark("websocket")
        socket.on("framereceived", lambda _frame: mark("first_frame"))

    try:
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited with {process.returncode}")
            if time.perf_counter() - started > timeout:
                raise RuntimeError("the server did not answer")
            time.sleep(0.05)
        mark("health")
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.on("websocket", on_socket)
        try:
            page.goto(url, timeout=timeout * 1000)
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(
                timeout=timeout * 1000
            )
            mark("heading")
            expect(page.get_by_test_id("stMetricValue").first).to_be_visible(timeout=timeout * 1000)
            page.wait_for_selector(READY, timeout=timeout * 1000)
            mark("shown")
        finally:
            page.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return marks


def browser_cold_open(env: dict[str, str], browser, timeout: float = 900) -> dict[str, float]:
    """``scheduler dashboard`` as a new process until Chromium shows 总览 with its metrics.

    ``browser`` is a Playwright browser already running; see ``_serve_and_show``.
    """
    port = _free_port()
    command = scheduler("dashboard", "--port", str(port), "--headless")
    return _serve_and_show(command, env, browser, port, "总览", timeout)


def hello_cold_open(
    env: dict[str, str], browser, script: Path, timeout: float = 900
) -> dict[str, float]:
    """The floor: ``streamlit run`` of a hello-world page with the dashboard's server options."""
    from scheduler.cli.serve import config_flags

    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    command += config_flags()
    return _serve_and_show(command, env, browser, port, "Hello", timeout)


MARKS = (
    ("health", "  of which until /_stcore/health answers"),
    ("websocket", "  of which until the page's websocket opens"),
    ("first_frame", "  of which until the server's first message"),
    ("heading", "  of which until the heading shows"),
)


def dashboard_rows(env: dict[str, str], app: Path, repeat: int, work: Path) -> dict[str, list[Run]]:
    """The cold-open rows: the real server in a browser, the hello-world floor, AppTest.

    The dashboard and the hello-world page are opened alternately, so both see
    the same load.
    """
    from playwright.sync_api import sync_playwright

    hello = work / "hello.py"
    hello.write_text(HELLO, encoding="utf-8")
    rows: dict[str, list[Run]] = {}
    opened, floor = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            for _ in range(repeat):
                opened.append(browser_cold_open(env, browser))
                floor.append(hello_cold_open(env, browser, hello))
        finally:
            browser.close()
    rows["dashboard cold open (server + Chromium, 总览)"] = [Run(m["shown"], 0.0) for m in opened]
    for mark, row in MARKS:
        rows[row] = [Run(m[mark], 0.0) for m in opened if mark in m]
    rows["floor: hello-world page, same way (Chromium)"] = [Run(m["shown"], 0.0) for m in floor]
    rows["  of which until /_stcore/health answers "] = [Run(m["health"], 0.0) for m in floor]
    rows["baseline: a new process importing streamlit"] = [
        run([sys.executable, "-c", IMPORTS], env) for _ in range(repeat)
    ]
    rows["first page in a new process (AppTest, 总览)"] = [
        run([sys.executable, "-c", COLD_OPEN, str(app)], env) for _ in range(repeat)
    ]
    rows["  of which the first page's script run"] = [
        Run(float(r.output.split()[-1]), r.peak_mb)
        for r in rows["first page in a new process (AppTest, 总览)"]
    ]
    return rows


def scheduler(*args: str) -> list[str]:
    return [sys.executable, "-m", "scheduler", *args]


def environment(url: str, source: Path | None) -> dict[str, str]:
    env = dict(os.environ, SCHEDULER_DATABASE_URL=url)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return env


def measure_dashboard(database: Path, work: Path, repeat: int, source: Path | None) -> dict:
    """The dashboard rows only, on a copy of an already loaded ``database``."""
    work.mkdir(parents=True, exist_ok=True)
    app = source / "dashboard" / "app.py" if source is not None else APP
    copy = work / "loaded.db"
    shutil.copyfile(database, copy)
    return dashboard_rows(environment(f"sqlite:///{copy}", source), app, repeat, work)


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
    rows.update(dashboard_rows(env, app, repeat, work))
    return rows


def summary(runs: list[Run]) -> tuple[float, str, float]:
    seconds = [r.seconds for r in runs]
    spread = f"{min(seconds):.1f}-{max(seconds):.1f}" if len(runs) > 1 else "one run"
    return statistics.median(seconds), spread, max(r.peak_mb for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="Data folder (db load and every row).")
    parser.add_argument("--database", type=Path, help="A loaded database (--only-dashboard).")
    parser.add_argument("--only-dashboard", action="store_true", help="Only the cold-open rows.")
    parser.add_argument("--work", type=Path, required=True, help="Scratch folder (databases).")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--region", default="370702", help="The one-division plan's region.")
    parser.add_argument("--before-src", type=Path, help="Source tree of the baseline code.")
    args = parser.parse_args()
    args.work = args.work.resolve()
    if args.only_dashboard:
        if args.database is None:
            parser.error("--only-dashboard needs --database")
        source = args.database.resolve()

        def one(work: Path, code: Path | None) -> dict:
            return measure_dashboard(source, work, args.repeat, code)
    else:
        if args.folder is None:
            parser.error("--folder is required (or --only-dashboard --database)")
        source = args.folder.resolve()

        def one(work: Path, code: Path | None) -> dict:
            return measure(source, work, args.repeat, args.region, code)

    loads = [os.getloadavg()[0]]
    after = one(args.work / "after", None)
    loads.append(os.getloadavg()[0])
    before = one(args.work / "before", args.before_src) if args.before_src else None
    loads.append(os.getloadavg()[0])
    print(
        f"{source}: load average {min(loads):.1f}-{max(loads):.1f} (1 min, at start, between, "
        f"end) on {os.cpu_count()} cores"
    )
    header = f"{'work':42} {'after s (spread)':>20} {'peak MB':>8}"
    if before:
        header += f" {'before s (spread)':>20} {'peak MB':>8} {'speed-up':>8}"
    print(header)
    for row, runs in after.items():
        if not runs or (before and not before.get(row)):
            continue
        median, spread, peak = summary(runs)
        line = f"{row:42} {f'{median:.1f} ({spread})':>20} {peak:8.0f}"
        if before:
            b_median, b_spread, b_peak = summary(before[row])
            line += f" {f'{b_median:.1f} ({b_spread})':>20} {b_peak:8.0f} {b_median / median:7.1f}x"
        print(line)
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
