"""Benchmark: read+validate a 1M-entity folder, then bulk-load it into SQLite.

SPEC section 6 target: import 1M entities into SQLite in <= 30 s. The
baseline measured in the same run is ``pandas.read_csv`` of the same
entities file with no validation (the folder holds about 3.3 rows per entity:
ratings and history too, so the ratio overstates the per-row cost).

Run: ``.venv/bin/python benchmarks/bench_load.py [--entities N] [--keep DIR]``

City scale (issue 10): ``--folder DIR --before-src SRC`` instead times
``scheduler db load DIR`` as a new process into a fresh SQLite file, with this
code and with the code in ``SRC`` (``git archive main | tar -x -C SRC``),
alternately (``--repeat`` pairs), then a re-load of the unchanged folder with
each; it prints wall time and the child's peak RSS of each run, the medians and
the before/after ratios, and the load average.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.data import uscc
from scheduler.data.directory import Directory
from scheduler.data.folder_writer import write_folder
from scheduler.data.importing.reader import read_folder, reference_frame
from scheduler.store.engine import init_db, make_engine
from scheduler.store.loader import directory_from_db, load_directory


def synthetic_directory(n_entities: int, n_inspectors: int, seed: int) -> Directory:
    """A valid directory built here, used when ``scheduler.data.synth.generate`` is absent."""
    try:
        from scheduler.data.synth.generate import generate_directory  # type: ignore[attr-defined]
    except ImportError:
        pass
    else:
        return generate_directory(n_entities, n_inspectors, rng=seed)
    rng = np.random.default_rng(seed)
    regions = reference_frame("regions")["code"].to_numpy()
    sectors = reference_frame("sectors")
    market = sectors.loc[sectors["department_code"] == "MARKET", "code"].to_numpy()
    region = rng.choice(regions, n_entities)
    codes = uscc.make(rng, n_entities, region, rng.choice(np.array(["91", "92"]), n_entities))
    days = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, n_entities), unit="D")
    entities = pd.DataFrame(
        {
            "uscc": codes,
            "name": np.char.add("潍坊市测试商户", np.arange(n_entities).astype(str)),
            "entity_type": rng.choice(np.array(["企业", "个体工商户"]), n_entities, p=[0.35, 0.65]),
            "region_code": region,
            "address": np.char.add("潍坊市某街道", rng.integers(1, 999, n_entities).astype(str)),
            "legal_rep": "",
            "phone": "",
            "registered_on": days.astype("datetime64[ns]"),
            "status": "存续",
            "sectors": rng.choice(market, n_entities),
        }
    )
    ratings = pd.DataFrame(
        {
            "uscc": codes,
            "department_code": "PUBLIC",
            "tier": rng.choice(
                np.array(["A", "B", "C", "D"]), n_entities, p=[0.69, 0.22, 0.065, 0.025]
            ),
            "evaluated_on": pd.Timestamp("2025-01-01"),
            "valid_until": pd.Timestamp("2026-12-31"),
        }
    )
    inspectors = pd.DataFrame(
        {
            "inspector_id": [f"37070{i:06d}" for i in range(n_inspectors)],
            "name": [f"检查员{i}" for i in range(n_inspectors)],
            "department_code": "MARKET",
            "region_code": rng.choice(regions, n_inspectors),
            "qualifications": ";".join(market[:3]),
            "capacity": 20,
            "active": True,
        }
    )
    tables = {name: reference_frame(name) for name in ("departments", "sectors", "regions")}
    return Directory.from_tables(
        {**tables, "entities": entities, "ratings": ratings, "inspectors": inspectors}
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(folder: Path, n_entities: int, n_inspectors: int, seed: int) -> None:
    write_folder(synthetic_directory(n_entities, n_inspectors, seed), folder)


def city(folder: Path, before_src: Path | None, repeat: int, work: Path) -> None:
    """``db load`` of ``folder`` as new processes: after (this code) and before, alternately."""
    import os
    import shutil
    import statistics

    from bench_city import environment, run, scheduler

    versions = {"after": None, "before": before_src} if before_src else {"after": None}
    results: dict[tuple[str, str], list] = {}
    work.mkdir(parents=True, exist_ok=True)
    for k in range(repeat):
        for version, source in versions.items():
            db = work / f"{version}.db"
            for stale in work.glob(f"{version}.db*"):
                stale.unlink()
            env = environment(f"sqlite:///{db}", source)
            subprocess.run(scheduler("db", "init"), env=env, check=True, capture_output=True)
            load = os.getloadavg()[0]
            first = run(scheduler("db", "load", str(folder)), env)
            again = run(scheduler("db", "load", str(folder)), env)
            for row, result in (("first load, fresh file", first), ("re-load, unchanged", again)):
                results.setdefault((row, version), []).append(result)
                print(
                    f"pair {k + 1} {version:6} {row:24} {result.seconds:7.1f} s "
                    f"{result.peak_mb:7.0f} MB peak RSS (load average {load:.1f})",
                    flush=True,
                )
    print(f"{folder}: {os.cpu_count()} cores, load average now {os.getloadavg()[0]:.1f}")
    for row in ("first load, fresh file", "re-load, unchanged"):
        after = results[row, "after"]
        line = (
            f"{row:24} after: median {statistics.median(r.seconds for r in after):6.1f} s, "
            f"peak {max(r.peak_mb for r in after):5.0f} MB"
        )
        if before_src:
            before = results[row, "before"]
            ratios = [b.seconds / a.seconds for a, b in zip(after, before, strict=True)]
            line += (
                f"; before: median {statistics.median(r.seconds for r in before):6.1f} s, "
                f"peak {max(r.peak_mb for r in before):5.0f} MB; "
                f"before/after per pair {', '.join(f'{r:.2f}' for r in ratios)}"
            )
        print(line)
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, help="City scale: time db load of this folder")
    parser.add_argument("--before-src", type=Path, help="City scale: the baseline source tree")
    parser.add_argument("--repeat", type=int, default=1, help="City scale: pairs of runs")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_load"))
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=2_500)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--keep", type=Path, default=None, help="write the folder here and keep it")
    parser.add_argument("--generate-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.folder is not None:
        city(args.folder.resolve(), args.before_src, args.repeat, args.work.resolve())
        return
    if args.generate_only is not None:
        generate(args.generate_only, args.entities, args.inspectors, args.seed)
        return

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch) / "data"
        started = time.perf_counter()
        # generated in a child process so that peak memory below is the import's own
        subprocess.run(
            [sys.executable, __file__, "--generate-only", str(folder),
             "--entities", str(args.entities), "--inspectors", str(args.inspectors),
             "--seed", str(args.seed)],
            check=True,
        )  # fmt: skip
        print(f"generate+write {args.entities:,} entities: {time.perf_counter() - started:6.2f} s")
        size_mb = sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20
        print(f"folder: {size_mb:.0f} MB of CSV")

        started = time.perf_counter()
        pd.read_csv(folder / "entities.csv", dtype=str, keep_default_na=False)
        baseline = time.perf_counter() - started
        print(f"baseline pandas.read_csv(entities.csv, dtype=str), no checks: {baseline:6.2f} s")

        rss_before = peak_rss_mb()
        started = time.perf_counter()
        directory = read_folder(folder)
        read_s = time.perf_counter() - started
        rows = sum(len(t) for t in directory.tables().values())
        print(
            f"read_folder, all files read and validated ({rows:,} rows): {read_s:6.2f} s "
            f"= {read_s / baseline:.1f}x the baseline; {rows / read_s:,.0f} rows/s; "
            f"peak RSS {peak_rss_mb():.0f} MB (before: {rss_before:.0f} MB)"
        )

        engine = make_engine(f"sqlite:///{Path(scratch) / 'bench.db'}")
        init_db(engine)
        started = time.perf_counter()
        report = load_directory(engine, directory)
        load_s = time.perf_counter() - started
        print(
            f"load_directory into SQLite ({rows:,} rows, one transaction): {load_s:6.2f} s; "
            f"{rows / load_s:,.0f} rows/s"
        )
        for name, rows_written in report.written.items():
            seconds = report.table_seconds[name]
            rate = rows_written / seconds if seconds else float("nan")
            print(f"  {name:12s} {rows_written:>10,} rows {seconds:7.2f} s {rate:>12,.0f} rows/s")
        entities_s = report.table_seconds["entities"]
        print(
            f"entities alone: {entities_s:.2f} s; target 30 s for 1M entities: "
            f"{'met' if entities_s * 1_000_000 / args.entities <= 30 else 'MISSED'}"
        )
        started = time.perf_counter()
        load_directory(engine, directory)
        print(f"re-load of the same directory (idempotent): {time.perf_counter() - started:6.2f} s")
        started = time.perf_counter()
        directory_from_db(engine)
        print(f"directory_from_db (read everything back): {time.perf_counter() - started:6.2f} s")
        print(f"peak RSS of the process: {peak_rss_mb():.0f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()
