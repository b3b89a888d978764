"""Writing a sample folder in bounded memory, chunk of entities by chunk.

``generate_directory`` holds every table in memory (about 2 GB per million
entities), far too much for a province (14M). Up to ``CHUNK_ENTITIES`` entities
the folder is exactly ``write_folder(generate_directory(...))``, byte for byte.
Above it the entities are made in chunks, each with its own spawned random
streams; a chunk's entities, ratings and commitments are appended to the CSV
files and dropped, keeping only small per-entity arrays (division, departments,
status, USCC). The inspectors are then made once from those arrays (staff follow
the whole directory's frames), and conflicts and history chunk by chunk.
USCCs stay unique across chunks (``entities.uscc_keys``); each chunk gets at
least ``max(5, size // 1000)`` operating entities per department. Output is a
pure function of the arguments, like the single-pass generator.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from scheduler.data import reference
from scheduler.data.folder_writer import write_csv_rows, write_folder
from scheduler.data.formats import TABLE_ORDER
from scheduler.data.importing.reader import reference_frame
from scheduler.data.synth.activity import make_conflicts, make_history
from scheduler.data.synth.catalog import catalog
from scheduler.data.synth.commitments import make_commitments
from scheduler.data.synth.entities import EntityDraw, make_entities, uscc_keys
from scheduler.data.synth.generate import (
    DEFAULT_TODAY,
    STEPS,
    check_sizes,
    generate_directory,
)
from scheduler.data.synth.inspectors import make_inspectors
from scheduler.data.synth.pick import apportion
from scheduler.data.synth.ratings import make_ratings

__all__ = ["CHUNK_ENTITIES", "write_sample_folder", "chunk_sizes"]

CHUNK_ENTITIES = 1_500_000
"""Entities per chunk: Weifang (1.48M) is still one pass, so its folder is unchanged."""

Progress = Callable[[str, int, int], None]
"""``progress(description, done, total)``."""


@dataclass(frozen=True)
class _Kept:
    """What later tables need of a chunk's entities (about 30 bytes per entity)."""

    uscc: np.ndarray
    region: np.ndarray
    in_department: np.ndarray
    operating: np.ndarray

    def draw(self, with_usccs: bool) -> EntityDraw:
        frame = pd.DataFrame(
            {"uscc": pd.Series(self.uscc.astype(str), dtype=object)} if with_usccs else {}
        )
        empty_slots = np.empty((self.region.size, 0), dtype=np.int16)
        return EntityDraw(
            frame, self.region.astype(np.int64), empty_slots, self.in_department, self.operating
        )


def chunk_sizes(n_entities: int, chunk_entities: int = CHUNK_ENTITIES) -> list[int]:
    """Near-equal chunk sizes summing to ``n_entities``, none above ``chunk_entities``."""
    chunks = -(-n_entities // chunk_entities)
    return [int(s) for s in apportion(n_entities, np.ones(chunks))]


def write_sample_folder(
    out: str | Path,
    n_entities: int,
    n_inspectors: int,
    *,
    seed: int,
    today: date = DEFAULT_TODAY,
    chunk_entities: int = CHUNK_ENTITIES,
    progress: Progress | None = None,
) -> dict[str, tuple[Path, int]]:
    """Write the sample folder; returns ``{table: (path, rows)}`` in ``TABLE_ORDER``."""
    check_sizes(n_entities, n_inspectors)
    report = progress or (lambda _d, _done, _total: None)
    folder = Path(out)
    if n_entities <= chunk_entities:
        total = len(STEPS) + 1
        steps = iter(range(1, total))
        directory = generate_directory(
            n_entities,
            n_inspectors,
            rng=seed,
            today=today,
            on_step=lambda name: report(f"generated {name}", next(steps), total),
        )
        report("writing CSV files", total - 1, total)
        paths = write_folder(directory, folder)
        report("written", total, total)
        return {
            name: (path, len(directory.table(name)))
            for name, path in zip(TABLE_ORDER, paths, strict=True)
        }
    return _write_chunked(folder, n_entities, n_inspectors, seed, today, chunk_entities, report)


def _write_chunked(
    folder: Path,
    n_entities: int,
    n_inspectors: int,
    seed: int,
    today: date,
    chunk_entities: int,
    report: Progress,
) -> dict[str, tuple[Path, int]]:
    sizes = chunk_sizes(n_entities, chunk_entities)
    # the same top-level streams as generate_directory, each split once more per chunk
    streams = np.random.default_rng(seed).spawn(len(STEPS))
    per_chunk = {step: streams[i].spawn(len(sizes)) for i, step in enumerate(STEPS)}
    cat = catalog()
    scheme = reference.tier_scheme(None)
    day = np.datetime64(today, "D")
    folder.mkdir(parents=True, exist_ok=True)
    rows = dict.fromkeys(TABLE_ORDER, 0)
    total = 2 * len(sizes) + 1
    with ExitStack() as stack:
        files: dict[str, BinaryIO] = {
            name: stack.enter_context(open(folder / f"{name}.csv", "wb")) for name in TABLE_ORDER
        }

        def write(name: str, frame: pd.DataFrame) -> None:
            write_csv_rows(name, frame, files[name], header=False)
            rows[name] += len(frame)

        for name in ("departments", "sectors", "regions"):
            frame = reference_frame(name)
            write_csv_rows(name, frame, files[name], header=True)
            rows[name] = len(frame)
        for name in ("entities", "ratings", "inspectors", "conflicts", "history", "commitments"):
            write_csv_rows(name, pd.DataFrame(), files[name], header=True)

        kept: list[_Kept] = []
        taken = np.empty(0, dtype=np.uint64)
        for i, size in enumerate(sizes):
            entities = make_entities(
                per_chunk["entities"][i], cat, size, day, max(5, size // 1000), taken
            )
            write("entities", entities.frame)
            write("ratings", make_ratings(per_chunk["ratings"][i], cat, entities, scheme, today))
            write(
                "commitments", make_commitments(per_chunk["commitments"][i], cat, entities, today)
            )
            codes = entities.frame["uscc"].to_numpy()
            taken = np.sort(np.concatenate([taken, uscc_keys(codes)]))
            kept.append(
                _Kept(
                    codes.astype("S18"),
                    entities.region.astype(np.int16),
                    entities.in_department,
                    entities.operating,
                )
            )
            del entities
            report(f"entities {i + 1}/{len(sizes)}", i + 1, total)
        del taken

        whole = _Kept(
            np.empty(0, dtype="S18"),
            np.concatenate([k.region for k in kept]),
            np.concatenate([k.in_department for k in kept]),
            np.concatenate([k.operating for k in kept]),
        )
        inspectors = make_inspectors(
            streams[STEPS.index("inspectors")], cat, whole.draw(False), n_inspectors
        )
        del whole
        write("inspectors", inspectors.frame)
        report("inspectors", len(sizes) + 1, total)
        for i, part in enumerate(kept):
            entities = part.draw(True)
            write("conflicts", make_conflicts(per_chunk["conflicts"][i], cat, entities, inspectors))
            write(
                "history", make_history(per_chunk["history"][i], cat, entities, inspectors, today)
            )
            report(f"conflicts and history {i + 1}/{len(sizes)}", len(sizes) + 2 + i, total)
    return {name: (folder / f"{name}.csv", rows[name]) for name in TABLE_ORDER}
