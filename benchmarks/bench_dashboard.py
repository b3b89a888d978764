"""Dashboard interactivity with a large directory (SPEC 6: <= 1 s per action after first load).

Generates a synthetic directory (default 1,000,000 entities, 2,500 inspectors),
loads it into a temporary SQLite file, then drives the real pages with
Streamlit's AppTest and times each script run: the first load (directory read
from the database), reruns (cached), saving a plan, a draw, a re-render of the
drawn page and an assignment of a one-division plan. The baseline is one
``groupby`` over the entity table in the same run.

Usage: ``python benchmarks/bench_dashboard.py [--entities N] [--inspectors M]``, or
``--url sqlite:///weifang.db`` to drive a directory already loaded there (e.g. the
1.48M-entity one of ``bench_city.py``; a plan and a draw are added to it).

Before/after in one run: ``--database weifang.db --before-src DIR`` (``DIR`` e.g.
from ``git archive main | tar -x -C DIR``) copies the loaded database twice and
drives the same actions with this tree's dashboard and with ``DIR``'s, each in
its own process, one after the other; it prints both columns, the ratio and
the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"


CPU: dict[str, float] = {}
"""CPU seconds (user + system, every thread of this process) of each timed action: on a
shared machine the wall time is inflated by the other jobs, the CPU time much less."""


def timed(label: str, action, results: dict[str, float]):
    started, cpu = time.perf_counter(), time.process_time()
    value = action()
    results[label] = time.perf_counter() - started
    CPU[label] = time.process_time() - cpu
    exception = getattr(value, "exception", None)
    if exception:
        raise RuntimeError(f"{label}: {exception}")
    return value


def _groupby_baseline(n: int) -> object:
    """The same baseline without the generated frame: a ``groupby`` over ``n`` region codes."""
    import numpy as np
    import pandas as pd

    codes = pd.Series(np.arange(n) % 12).astype(str)
    return codes.groupby(codes).size()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=2_500)
    parser.add_argument("--url", help="An already loaded database (skips generate and load).")
    parser.add_argument(
        "--app", type=Path, help="The dashboard entry script (default: this tree's)."
    )
    parser.add_argument("--json", action="store_true", help="Print the timings as JSON.")
    parser.add_argument("--database", type=Path, help="A loaded database to copy (--before-src).")
    parser.add_argument("--before-src", type=Path, help="Source tree of the baseline code.")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    if args.before_src is not None:
        if args.database is None:
            parser.error("--before-src needs --database (a loaded database to copy)")
        work = Path(tempfile.mkdtemp(prefix="bench-dashboard-", dir=args.work))
        compare(args.database.resolve(), args.before_src.resolve(), work)
        return

    from scheduler.data.synth.generate import generate_directory
    from scheduler.store.engine import init_db, make_engine
    from scheduler.views.loading import load_with_overview

    results: dict[str, float] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    url = args.url or f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(url)
    init_db(engine)
    if args.url:
        from scheduler.store.loader import row_counts

        args.entities, args.inspectors = (row_counts(engine)[n] for n in ("entities", "inspectors"))
        timed("baseline: groupby region", lambda: _groupby_baseline(args.entities), results)
    else:
        directory = timed(
            "generate", lambda: generate_directory(args.entities, args.inspectors, rng=1), results
        )
        timed("load into SQLite", lambda d=directory: load_with_overview(engine, d), results)
        entities = directory.entities
        timed(
            "baseline: groupby region", lambda e=entities: e.groupby("region_code").size(), results
        )
        del directory, entities  # the dashboard reads its own copy from the database

    os.environ["SCHEDULER_DATABASE_URL"] = url
    from scheduler.settings import get_settings

    get_settings.cache_clear()
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(args.app or APP), default_timeout=900)
    timed("overview: first load", at.run, results)
    timed("overview: rerun", at.run, results)
    at.sidebar.radio[0].set_value("en")
    timed("overview: switch language", at.run, results)
    at.sidebar.radio[0].set_value("zh")
    at.run()
    at.switch_page("app_pages/plans.py")
    timed("plans: first render (no division chosen)", at.run, results)
    timed("plans: rerun", at.run, results)
    at.multiselect(key="plans__regions").set_value(["370702"])  # 潍城区
    timed("plans: change divisions", at.run, results)
    at.button(key="plans__save").click()
    timed("plans: save", at.run, results)
    at.switch_page("app_pages/draw.py").run()
    at.radio(key="draw__mode").set_value("given")
    at.run()
    at.button(key="draw__run").click()
    timed("draw: run the draw (records it)", at.run, results)
    timed("draw: rerun", at.run, results)
    at.switch_page("app_pages/matching.py")
    timed("matching: first render", at.run, results)
    at.button(key="FormSubmitter:matching__form-运行匹配").click()
    timed("matching: run the assignment (one division)", at.run, results)
    timed("matching: rerun", at.run, results)
    timed("matching: second rerun", at.run, results)
    at.switch_page("app_pages/audit.py")
    timed("audit: render", at.run, results)
    # Pages that read the whole directory the first time they were opened (issue 10).
    at.switch_page("app_pages/publication.py")
    timed("publication: first render", at.run, results)
    at.switch_page("app_pages/exports.py")
    timed("exports: first render", at.run, results)
    at.switch_page("app_pages/simulation.py")
    timed("simulation: first render", at.run, results)
    at.switch_page("app_pages/overview.py")
    timed("overview: switch back", at.run, results)

    import shutil

    engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps({"results": results, "cpu": CPU, "load": os.getloadavg()[0]}))
        return
    base = results["baseline: groupby region"]
    print(f"dashboard benchmark: {args.entities:,} entities, {args.inspectors:,} inspectors")
    for label, seconds in results.items():
        print(
            f"  {label:<45} {seconds:8.3f} s   {seconds / base:8.1f} x baseline"
            f"   cpu {CPU[label]:7.3f} s"
        )


def _child(database: Path, work: Path, source: Path | None) -> dict:
    """This script in a new process on a copy of ``database``, with ``source``'s code."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "bench.db"
    shutil.copyfile(database, copy)
    env = dict(os.environ)
    app = ROOT / "dashboard" / "app.py"
    if source is not None:
        env["PYTHONPATH"] = str(source)
        app = source / "dashboard" / "app.py"
    script = str(Path(__file__).resolve())
    command = [sys.executable, script, "--url", f"sqlite:///{copy}", "--app", str(app), "--json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=str(work))
    shutil.rmtree(work, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(database: Path, before: Path, work: Path) -> None:
    """The same actions with this tree (after) and ``before``, one after the other."""
    after_run = _child(database, work / "after", None)
    before_run = _child(database, work / "before", before)
    after, previous = after_run["results"], before_run["results"]
    print(
        f"dashboard before/after on copies of {database}; load average (1 min) at the end of "
        f"each: after {after_run['load']:.1f}, before {before_run['load']:.1f}, "
        f"{os.cpu_count()} cores"
    )
    print(
        f"  {'action':<45} {'after s':>9} {'before s':>9} {'before/after':>12}"
        f" {'after cpu':>10} {'before cpu':>10} {'cpu ratio':>9}"
    )
    cpu_after, cpu_before = after_run.get("cpu", {}), before_run.get("cpu", {})
    for label, seconds in after.items():
        print(
            f"  {label:<45} {_pair(seconds, previous.get(label), 9, 12)}"
            f" {_pair(cpu_after.get(label), cpu_before.get(label), 10, 9)}"
        )


def _pair(after: float | None, before: float | None, width: int, ratio_width: int) -> str:
    """``after before before/after`` columns, ``-`` where a figure is missing."""
    shown = [f"{v:{width}.2f}" if v is not None else f"{'-':>{width}}" for v in (after, before)]
    ratio = f"{before / after:.1f}x" if before is not None and after else "-"
    return f"{shown[0]} {shown[1]} {ratio:>{ratio_width}}"


if __name__ == "__main__":
    main()
