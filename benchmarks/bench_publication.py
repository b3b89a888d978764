"""Publication area: export and estimate costs on the committed sample data (20,000 entities).

Prints seconds per step and ratios against a baseline measured in the same run
(``DataFrame.to_csv`` of the same public table): the masking, neutralising and
XLSX writing are what the ratios show. Run: ``.venv/bin/python benchmarks/bench_publication.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.importer import read_folder
from scheduler.publication import jobs
from scheduler.publication.estimates import estimate_rates
from scheduler.publication.public_list import public_list
from scheduler.sampling import draw_sample

REPO = Path(__file__).resolve().parent.parent


def _timed(label: str, fn, baseline: float | None = None) -> float:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    ratio = f"  ({seconds / baseline:5.1f}x baseline)" if baseline else ""
    print(f"{label:<44} {seconds:7.3f} s{ratio}")
    return seconds


def main() -> None:
    directory = read_folder(REPO / "sample_data")
    ent = directory.entities
    draw = pd.DataFrame(
        {
            "draw_id": "B",
            "uscc": ent["uscc"],
            "name": ent["name"],
            "region_code": ent["region_code"],
            "tier": "A",
            "inclusion_prob": 1.0,
            "stratum": "s",
        }
    )
    results = pd.DataFrame(
        {
            "uscc": ent["uscc"],
            "department_code": "MARKET",
            "inspected_on": pd.Timestamp("2026-11-20"),
            "result_code": "01",
            "draw_id": "B",
            "notes": "",
        }
    )
    table = public_list(directory, draw=draw, results=results, department_code="MARKET")
    out = Path(tempfile.mkdtemp())
    print(f"public list of {len(table):,} rows")
    base = _timed("baseline: DataFrame.to_csv of the table", lambda: table.to_csv(out / "base.csv"))
    _timed(
        "public_list (masking, items)",
        lambda: public_list(directory, draw=draw, results=results, department_code="MARKET"),
        base,
    )
    for fmt in ("csv", "xlsx", "json"):
        _timed(
            f"export public --format {fmt} (build + write)",
            lambda fmt=fmt: jobs.run_export(
                directory,
                draw,
                kind="public",
                fmt=fmt,
                out=out / f"p.{fmt}",
                results=results,
                department_code="MARKET",
            ),
            base,
        )
    rng = np.random.default_rng(1)
    n = 1_000_000
    pi = np.full(n, 0.05)
    strata = rng.integers(0, 48, n)
    chosen = draw_sample(pi, rng=rng, strata=strata)
    sample = pd.DataFrame(
        {
            "uscc": chosen.astype(str),
            "inclusion_prob": pi[chosen],
            "stratum": strata[chosen],
            "tier": strata[chosen] % 4,
            "region_code": strata[chosen] // 4,
            "violation": (rng.random(chosen.size) < 0.1).astype(float),
        }
    )
    _timed(
        f"estimate_rates, {chosen.size:,} results, 48 strata, by tier+region",
        lambda: estimate_rates(sample, by=("tier", "region_code")),
    )


if __name__ == "__main__":
    main()
