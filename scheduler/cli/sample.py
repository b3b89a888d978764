"""CLI command ``sample-data``: write a synthetic Weifang data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scheduler.cli.console import console, progress_bar
from scheduler.data.formats import TABLE_ORDER, TABLES
from scheduler.data.synth.chunked import write_sample_folder
from scheduler.data.synth.generate import DEFAULT_ENTITIES, DEFAULT_INSPECTORS, DEFAULT_SEED

__all__ = ["register", "sample_data", "PROGRESS_FROM"]

PROGRESS_FROM = 100_000
"""Entity count from which a progress bar is shown (smaller folders take a second)."""


def sample_data(
    out: Annotated[Path, typer.Option("--out", help="Folder to write (created if missing).")],
    entities: Annotated[
        int, typer.Option("--entities", help="Number of market entities.")
    ] = DEFAULT_ENTITIES,
    inspectors: Annotated[
        int, typer.Option("--inspectors", help="Number of inspectors.")
    ] = DEFAULT_INSPECTORS,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same files.")] = (
        DEFAULT_SEED
    ),
) -> None:
    """Write a realistic synthetic directory (entities, ratings, inspectors, conflicts,
    history and the reference tables) as CSV files; no real persons are described."""
    if entities >= PROGRESS_FROM:
        with progress_bar() as bar:
            task = bar.add_task("generating", total=None)

            def step(description: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=description)

            written = write_sample_folder(out, entities, inspectors, seed=seed, progress=step)
    else:
        written = write_sample_folder(out, entities, inspectors, seed=seed)

    table = Table(title=f"sample data (seed {seed}) in {out}")
    table.add_column("file")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("bytes", justify="right")
    for name in TABLE_ORDER:
        path, rows = written[name]
        table.add_row(path.name, TABLES[name].zh, f"{rows:,}", f"{path.stat().st_size:,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("sample-data")(sample_data)
