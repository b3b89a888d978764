"""City scale (issue 10): the 导出 of one division's draw (~2,200 visits and teams), A/B.

Two parts, each printing wall and CPU seconds (CPU: less sensitive to a shared
machine) and the before/after ratio, before and after measured in turn:

1. In process, what the dashboard's 导出 page and ``export --draw-id`` do once
   the draw is read: the 检查任务单 built and written (CSV, XLSX) by the
   per-team builder of main (``tests/task_sheets_reference.py``) and by the
   one-pass builder, with a check that the files are equal (CSV bytes, XLSX cell
   values); the public list's masker reading every distinct legal representative
   (before, on ``--before-db``: the schema without the ``entity.legal_rep`` index)
   and only the names inside the drawn entities' names (after), with a check
   that both mask every drawn name alike; and the page's six files (three lists,
   XLSX and CSV) from the drawn rows.
2. With ``--before-src`` (a checkout of main): ``scheduler export --draw-id`` as new
   processes of each version, on its own database copy, and a byte check of the
   CSV files.

Usage (a loaded database with a recorded draw and assignment; ``--before-db`` its
copy at main's schema, ``--db`` the same data upgraded by this version)::

    git archive main | tar -x -C /tmp/before
    python benchmarks/bench_exports_city.py --db /work/data/after.db \\
        --before-db /work/data/before.db --before-src /tmp/before [--draw-id DR-...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the frozen per-team builder: the baseline

from task_sheets_reference import reference_task_sheets, reference_write  # noqa: E402

from scheduler.draw.db_scope import staffing_directory  # noqa: E402
from scheduler.publication import jobs  # noqa: E402
from scheduler.publication.db_inputs import masker_from_db  # noqa: E402
from scheduler.publication.draw_links import db_inputs  # noqa: E402
from scheduler.publication.exports import task_sheets  # noqa: E402
from scheduler.publication.writers import write_task_sheets  # noqa: E402
from scheduler.store.engine import make_engine  # noqa: E402


def clocks(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall, cpu, result) of ``fn()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def row(label: str, before: tuple[float, float], after: tuple[float, float]) -> None:
    ratio = before[1] / after[1] if after[1] else float("inf")
    print(
        f"{label:<34} before wall {before[0]:7.2f} s cpu {before[1]:7.2f} s | "
        f"after wall {after[0]:6.2f} s cpu {after[1]:6.2f} s | {ratio:6.1f}x less CPU"
    )


def cells(path: Path) -> list[list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(ws.iter_rows(values_only=True)) for ws in book.worksheets]
    finally:
        book.close()


def latest_assigned_draw(engine: Any) -> str:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT draw_id FROM assignmentrow ORDER BY run_id DESC LIMIT 1")
        ).scalar()
    if not found:
        raise SystemExit("no assigned draw in the database: run draw --plan and assign first")
    return str(found)


def in_process(url: str, before_url: str | None, draw_id: str, out: Path) -> None:
    engine = make_engine(url)
    wall, cpu, (draw, assignment, results) = clocks(lambda: db_inputs(engine, draw_id))
    print(f"draw {draw_id}: {len(draw):,} rows; read the draw and assignment: cpu {cpu:.2f} s")
    wall, cpu, drawn = clocks(lambda: staffing_directory(engine, draw["uscc"].astype(str)))
    print(f"drawn rows (staffing_directory): wall {wall:.2f} s cpu {cpu:.2f} s")
    dept = jobs.department_of(draw, assignment=assignment)
    for fmt in ("csv", "xlsx"):
        old = out / f"tasks-before.{fmt}"
        new = out / f"tasks-after.{fmt}"
        before = clocks(
            lambda fmt=fmt, old=old: reference_write(
                reference_task_sheets(drawn, draw, assignment, department_code=dept), old, fmt
            )
        )
        after = clocks(
            lambda fmt=fmt, new=new: write_task_sheets(
                task_sheets(drawn, draw, assignment, department_code=dept), new, fmt
            )
        )
        row(f"检查任务单 {fmt} (build + write)", before[:2], after[:2])
        same = old.read_bytes() == new.read_bytes() if fmt == "csv" else cells(old) == cells(new)
        assert same, f"the one-pass task sheets ({fmt}) differ from the per-team ones"
    print(
        f"teams: {len(task_sheets(drawn, draw, assignment, department_code=dept)):,}; files equal"
    )
    if before_url:
        before_engine = make_engine(before_url)
        before = clocks(lambda: masker_from_db(before_engine))
        after = clocks(lambda: masker_from_db(engine, drawn.entities))
        row("public list masker", before[:2], after[:2])
        ent = drawn.entities
        individual = ent["entity_type"] == "个体工商户"
        rows = list(zip(ent["name"], ent["legal_rep"], individual, strict=True))
        full, scoped = before[2], after[2]
        assert [full.mask_entity_name(n, operator=o, individual=i) for n, o, i in rows] == [
            scoped.mask_entity_name(n, operator=o, individual=i) for n, o, i in rows
        ], "the scoped masker masks a drawn name differently"
        print(f"known names: {len(full.known):,} -> {len(scoped.known):,}; masked names equal")

    def page() -> None:
        masker = masker_from_db(engine, drawn.entities)
        for kind in ("list", "tasks", "public"):
            for fmt in ("xlsx", "csv"):
                target = out / f"page-{kind}.{fmt}"
                options = {"kind": kind, "fmt": fmt, "assignment": assignment, "masker": masker}
                jobs.run_export(drawn, draw, out=target, **options)

    wall, cpu, _ = clocks(page)
    print(f"导出 page, all six files after (masker + 3 lists x 2 formats): wall {wall:.2f} s "
          f"cpu {cpu:.2f} s")  # fmt: skip


def child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu of the child) of one command; fails loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(  # cwd "/": ``python -m`` would import the package of the cwd
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd="/"
    )
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output.decode()[-2000:]}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def cli(url: str, before_url: str, before_src: Path, draw_id: str, out: Path) -> None:
    print(f"scheduler export --draw-id as new processes (load {os.getloadavg()[0]:.1f})")
    for kind, fmt in (("tasks", "csv"), ("tasks", "xlsx"), ("public", "csv"), ("list", "csv")):
        runs = {}
        for name, source, db in (("before", before_src, before_url), ("after", REPO, url)):
            env = dict(os.environ, PYTHONPATH=str(source), COLUMNS="200")
            target = out / f"cli-{name}-{kind}.{fmt}"
            command = [sys.executable, "-m", "scheduler", "export", "--draw-id", draw_id,
                       "--url", db, "--kind", kind, "--format", fmt, "--out", str(target),
                       "--force"]  # fmt: skip
            runs[name] = child(command, env)
        row(f"export --kind {kind} --format {fmt}", runs["before"], runs["after"])
        if fmt == "csv":
            same = (out / f"cli-before-{kind}.csv").read_bytes() == (
                out / f"cli-after-{kind}.csv"
            ).read_bytes()
            assert same, f"export --kind {kind}: the CSV files differ"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="database at this version")
    parser.add_argument("--before-db", type=Path, help="the same data at main's schema")
    parser.add_argument("--before-src", type=Path, help="a checkout of main (for part 2)")
    parser.add_argument("--draw-id", help="default: the latest assigned draw")
    args = parser.parse_args()
    url = f"sqlite:///{args.db.resolve()}"
    before_url = f"sqlite:///{args.before_db.resolve()}" if args.before_db else None
    draw_id = args.draw_id or latest_assigned_draw(make_engine(url))
    print(f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        in_process(url, before_url, draw_id, Path(tmp))
        if args.before_src and before_url:
            cli(url, before_url, args.before_src, draw_id, Path(tmp))


if __name__ == "__main__":
    main()
