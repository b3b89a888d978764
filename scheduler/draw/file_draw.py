"""Draws kept in files: one function per user action, shared by every front end.

A draw's files (the draw CSV, the receipt, the reserve lists, the frame
snapshot) are written under temporary names and moved into place together
(``data.atomic_files.Staging``), so an interrupted write leaves no half a draw.
For a plan recorded in the database the files are staged before the record's
transaction and published only after it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.data.atomic_files import Staging

__all__ = [
    "DrawFiles",
    "FileDraw",
    "Step",
    "commit_file_draw",
    "draw_to_files",
    "draw_plan_to_files",
    "rewrite_draw_files",
]

Step = Callable[[str], None]
"""Told the name of each step as it starts (a progress display)."""


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class DrawFiles:
    """Where a draw's files go; ``None`` = not written."""

    out: Path | None = None
    receipt: Path | None = None
    reserves: Path | None = None
    snapshot: Path | None = None

    def stage(self, staging: Staging, rows: Any, receipt: dict[str, Any], reserves: Any) -> None:
        """Write the draw CSV, receipt and reserve lists under temporary names."""
        from scheduler.draw.receipt import write_json
        from scheduler.draw.run import write_draw_csv, write_reserves_csv

        if self.out is not None:
            staging.write(self.out, lambda p: write_draw_csv(rows, p))
        if self.receipt is not None:
            staging.write(self.receipt, lambda p: write_json(receipt, p))
        if self.reserves is not None:
            staging.write(self.reserves, lambda p: write_reserves_csv(reserves, p))


@dataclass(frozen=True)
class FileDraw:
    """A file draw done: the draw (``DrawResult``), its frame and the files written."""

    result: Any
    frame: Any
    written: list[Path]


def _frame(data: Path, parameters: Any, step: Step) -> Any:
    from scheduler.data.importing.reader import read_folder
    from scheduler.draw.frame import FRAME_INPUT, build_frame

    step("reading the data folder")
    directory = read_folder(data, tables=FRAME_INPUT)  # only what the frame reads
    step("building the sampling frame")
    return build_frame(directory, parameters.rules)


def commit_file_draw(
    data: Path,
    parameters: Any,
    target: Path,
    *,
    reveal_at: str,
    value_source: str,
    digits: int | None = None,
    step: Step = _quiet,
) -> dict[str, Any]:
    """Write the commitment of a witnessed draw of a data folder (no seed yet)."""
    from scheduler.draw.receipt import write_json
    from scheduler.draw.witnessed import commit_to_frame

    frame = _frame(data, parameters, step)
    step("committing")
    document = commit_to_frame(
        frame, parameters, reveal_at=reveal_at, value_source=value_source, digits=digits
    )
    write_json(document, target)
    return document


def draw_to_files(
    data: Path,
    parameters: Any,
    files: DrawFiles,
    *,
    seed: int | None = None,
    commitment: Path | None = None,
    reveal: str | None = None,
    step: Step = _quiet,
) -> FileDraw:
    """Draw a data folder with a given seed, or with the seed a revealed value fixes.

    Exactly one of ``seed`` and ``commitment`` (with ``reveal``) is given; a
    commitment whose frame or parameters differ from today's is refused.
    """
    from scheduler.draw.receipt import canonical_frame_bytes, read_json
    from scheduler.draw.run import draw_from_frame
    from scheduler.draw.snapshot import write_snapshot
    from scheduler.draw.witnessed import seed_from_reveal
    from scheduler.errors import InvalidInputError

    if (seed is None) == (commitment is None):
        raise InvalidInputError("a draw needs either a seed or a commitment with its reveal")
    frame = _frame(data, parameters, step)
    step("drawing")
    seed_source = None
    if commitment is not None:
        seed, seed_source = seed_from_reveal(read_json(commitment), reveal or "", frame, parameters)
    assert seed is not None
    result = draw_from_frame(frame, parameters, seed, seed_source=seed_source)
    step("writing")
    with Staging() as staging:
        files.stage(staging, result.rows, result.receipt, result.reserves)
        if files.snapshot is not None:
            frame_bytes = canonical_frame_bytes(frame)
            staging.write(files.snapshot, lambda p: write_snapshot(frame_bytes, p))
        written = staging.publish()
    return FileDraw(result, frame, written)


def draw_plan_to_files(
    engine: Any,
    plan_id: int,
    seed: int,
    files: DrawFiles,
    *,
    actor: str,
    reason: str | None = None,
) -> Any:
    """Draw and record a stored plan; its files are put in place only after the commit."""
    from scheduler.draw.plans import run_plan_draw

    with Staging() as staging:

        def write_first(result: Any) -> None:
            files.stage(staging, result.rows, result.receipt, result.reserves)

        result = run_plan_draw(
            engine, plan_id, seed, reason=reason, actor=actor, before_record=write_first
        )
        staging.publish()
    return result


def rewrite_draw_files(engine: Any, draw_id: str, files: DrawFiles) -> list[Path]:
    """Write a recorded draw's files again, byte for byte as when it was drawn."""
    from scheduler.draw.plans import draw_receipt, draw_reserves, draw_rows
    from scheduler.draw.run import format_prob

    receipt = draw_receipt(engine, draw_id)
    rows = draw_rows(engine, draw_id)
    reserves = draw_reserves(engine, draw_id)
    if files.reserves is not None:
        reserves["inclusion_prob"] = format_prob(reserves["inclusion_prob"].to_numpy())
    with Staging() as staging:
        files.stage(staging, rows, receipt, reserves)
        return staging.publish()
