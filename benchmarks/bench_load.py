"""Benchmark: read+validate a 1M-entity folder, then bulk-load it into SQLite.

SPEC section 6 target: import 1M entities into SQLite in <= 30 s. The
baseline measured in the same run is ``pandas.read_csv`` of the same
entities file with no validation, so the ratio shows what validation costs.

Run: ``.venv/bin/python benchmarks/bench_load.py [--entities N] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler import uscc
from scheduler.db import init_db, make_engine
from scheduler.directory import Directory
from scheduler.folder import write_folder
from scheduler.importer import read_folder, reference_frame
from scheduler.loader import load_directory


def synthetic_directory(n_entities: int, n_inspectors: int, seed: int) -> Directory:
    """A valid directory built here, used when ``scheduler.sample_data`` is absent."""
    try:
        from scheduler.sample_data import generate_directory  # type: ignore[attr-defined]
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
            "tier": rng.choice(np.array(["A", "B", "C", "D"]), n_entities, p=[0.69, 0.22, 0.065, 0.025]),
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
    return Directory.from_tables({**tables, "entities": entities, "ratings": ratings, "inspectors": inspectors})


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=2_500)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--keep", type=Path, default=None, help="write the folder here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch) / "data"
        started = time.perf_counter()
        directory = synthetic_directory(args.entities, args.inspectors, args.seed)
        write_folder(directory, folder)
        del directory
        print(f"generate+write {args.entities:,} entities: {time.perf_counter() - started:6.2f} s")
        size_mb = (folder / "entities.csv").stat().st_size / 2**20
        print(f"entities.csv: {size_mb:.0f} MB; peak RSS so far {peak_rss_mb():.0f} MB")

        started = time.perf_counter()
        pd.read_csv(folder / "entities.csv", dtype=str, keep_default_na=False)
        baseline = time.perf_counter() - started
        print(f"baseline pandas.read_csv(entities, dtype=str): {baseline:6.2f} s")

        tracemalloc.start()
        started = time.perf_counter()
        directory = read_folder(folder)
        read_s = time.perf_counter() - started
        _, read_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows = sum(len(t) for t in directory.tables().values())
        print(
            f"read_folder (read+validate all tables, {rows:,} rows): {read_s:6.2f} s "
            f"= {read_s / baseline:.1f}x baseline; {args.entities / read_s:,.0f} entities/s; "
            f"traced peak {read_peak / 2**20:.0f} MB"
        )

        engine = make_engine(f"sqlite:///{Path(scratch) / 'bench.db'}")
        init_db(engine)
        started = time.perf_counter()
        report = load_directory(engine, directory)
        load_s = time.perf_counter() - started
        print(
            f"load_directory into SQLite ({rows:,} rows): {load_s:6.2f} s; "
            f"{rows / load_s:,.0f} rows/s; target 30 s for 1M entities: "
            f"{'met' if load_s <= 30 else 'MISSED'}"
        )
        print(f"written per table: {report.written}")
        print(f"peak RSS of the process: {peak_rss_mb():.0f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()
