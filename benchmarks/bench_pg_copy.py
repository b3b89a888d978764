"""PostgreSQL first-load write path, A/B in one run: ``COPY`` row by row vs. as CSV blocks.

A (before): the driver's ``write_row`` per row into the table with every index,
unique constraint and foreign key in place (the code before this change).
B (after): ``bulk_write._copy`` (Arrow-written CSV blocks) between
``suspend_checks`` and the returned ``restore`` (indexes and constraints made
again, foreign keys validated once).

Each variant writes the folder's entities then ratings into an initialised,
empty database inside a transaction that is rolled back, so every run starts
from the same empty tables; A and B alternate. Prints wall and this process's
CPU seconds per run, the medians and the ratio; the server's own CPU is not in
the process figure (read the wall time for the total).

Usage::

    python benchmarks/bench_pg_copy.py --folder /work/data/weifang \\
        --url postgresql+psycopg://postgres@127.0.0.1:55432/empty [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import pandas as pd
from sqlalchemy.dialects import postgresql

from scheduler.data.formats import TABLES
from scheduler.data.importing.reader import read_folder
from scheduler.store.bulk_write import _copy, _driver_chunks, suspend_checks
from scheduler.store.engine import make_engine
from scheduler.store.tables import DB_TABLES

NAMES = ("entities", "ratings")
REFERENCES = ("departments", "sectors", "regions")


def _rows_copy(connection, table, frame: pd.DataFrame) -> None:
    """The write path before: ``COPY`` text fed one ``write_row`` per row."""
    compiled = postgresql.insert(table).compile(
        dialect=connection.dialect, column_keys=list(frame.columns)
    )
    order = list(compiled.params)
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(n) for n in order)
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN") as copy:
            for chunk in _driver_chunks(connection, table, frame, order):
                for row in zip(*chunk, strict=True):
                    copy.write_row(row)
    finally:
        cursor.close()


def _write(engine, frames: dict[str, pd.DataFrame], after: bool) -> tuple[float, float]:
    with engine.connect() as connection:
        transaction = connection.begin()
        for name in REFERENCES:  # what the foreign keys point at; not timed
            _copy(connection, DB_TABLES[name], frames[name], None, name)
        wall, cpu = time.perf_counter(), time.process_time()
        for name in NAMES:
            table = DB_TABLES[name]
            if after:
                restore = suspend_checks(connection, table)
                _copy(connection, table, frames[name], None, name)
                restore()
            else:
                _rows_copy(connection, table, frames[name])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        transaction.rollback()
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--url", required=True, help="An initialised, empty database.")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    directory = read_folder(args.folder, tables=(*REFERENCES, *NAMES))
    frames = {
        n: directory.table(n)[list(TABLES[n].column_names)].sort_values(
            list(TABLES[n].key), kind="stable"
        )
        for n in (*REFERENCES, *NAMES)
    }
    engine = make_engine(args.url)
    runs: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for k in range(args.repeat):
        for label in ("before", "after") if k % 2 == 0 else ("after", "before"):
            runs[label].append(_write(engine, frames, label == "after"))
            wall, cpu = runs[label][-1]
            print(f"run {k} {label:6}: {wall:7.1f} s wall, {cpu:6.1f} s CPU (this process)")
    rows = sum(len(f) for f in frames.values())
    print(f"{rows:,} rows ({', '.join(NAMES)}); load average {os.getloadavg()[0]:.1f}")
    medians = {
        label: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
        for label, r in runs.items()
    }
    for label, (wall, cpu) in medians.items():
        print(f"{label:6}: median {wall:7.1f} s wall, {cpu:6.1f} s CPU")
    print(
        f"after/before: wall {medians['after'][0] / medians['before'][0]:.2f}, "
        f"CPU {medians['after'][1] / medians['before'][1]:.2f}"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
