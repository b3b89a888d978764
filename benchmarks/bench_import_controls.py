"""Benchmark: the cost of refusing control characters (NUL, ESC ...) at import.

Every free-text column of every file is scanned (``cells.check_controls``); the
baseline in the same run is ``read_cells`` of the same files (decode, parse,
trim), which the check adds to. Strictly parsed kinds (dates, numbers, codes)
are not scanned: their parsers already refuse a control character.

Run: ``.venv/bin/python benchmarks/bench_import_controls.py [--folder DIR | --entities N]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_load import generate

from scheduler.data.formats import TABLES
from scheduler.data.importing import cells as C
from scheduler.data.importing.problems import ProblemLog
from scheduler.data.importing.reader import _CHOICES, _STRICT_KINDS
from scheduler.data.importing.sources import locate, read_cells


def measure(folder: Path, repeats: int) -> None:
    log = ProblemLog()
    columns = []
    started = time.perf_counter()
    for name, spec in TABLES.items():
        path = locate(folder, name, log)
        if path is None:
            continue
        cells = read_cells(path, spec, log)
        assert cells is not None
        columns += [
            (name, c.name, cells[c.name])
            for c in spec.columns
            if c.kind not in _STRICT_KINDS and (name, c.name) not in _CHOICES
        ]
    baseline = time.perf_counter() - started
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for name, column, values in columns:
            C.check_controls(values, name, column, log)
        times.append(time.perf_counter() - started)
    cells_n = sum(len(v) for *_, v in columns)
    best = min(times)
    print(f"read_cells of every file (baseline): {baseline:6.2f} s")
    print(
        f"check_controls over {len(columns)} text columns, {cells_n:,} cells: best of {repeats} "
        f"{best:6.3f} s = {best / baseline:.1%} of the baseline; {cells_n / best:,.0f} cells/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, default=None, help="an existing data folder")
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.folder is not None:
        measure(args.folder, args.repeats)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "data"
        generate(folder, args.entities, 2_500, 20261126)
        measure(folder, args.repeats)


if __name__ == "__main__":
    main()
