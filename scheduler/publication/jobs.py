"""One call per CLI command: read the inputs, build, write. The CLI only parses and prints.

Kept apart from the pure builders so that the dashboard can call the same
functions the command line does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Engine

from scheduler.data.directory import Directory
from scheduler.errors import InvalidInputError
from scheduler.publication.estimates import EstimateReport, estimate_rates, sample_frame
from scheduler.publication.exports import LIST_COLUMNS, inspection_list, split_frame, task_sheets
from scheduler.publication.masking import NameMasker
from scheduler.publication.public_list import PUBLIC_COLUMNS, public_list
from scheduler.publication.writers import Format, write_tables, write_task_sheets

__all__ = [
    "Kind",
    "department_of",
    "receipt_populations",
    "run_export",
    "export_recorded",
    "run_estimate",
    "estimate_recorded",
    "BY_COLUMNS",
]

Kind = Literal["list", "tasks", "public"]
BY_COLUMNS = {
    "department": "department_code",
    "tier": "tier",
    "region": "region_code",
    "division": "region_code",
}


def department_of(
    draw: pd.DataFrame,
    *,
    assignment: pd.DataFrame | None = None,
    receipt: dict[str, Any] | None = None,
    explicit: str | None = None,
) -> str | None:
    """The draw's department: the argument, a one-valued column, or the receipt's parameters."""
    if explicit:
        return explicit
    for frame in (draw, assignment):
        if frame is not None and "department_code" in frame:
            codes: set[str] = set(frame["department_code"]) - {""}
            if len(codes) == 1:
                return codes.pop()
    for source in (receipt or {}, (receipt or {}).get("parameters") or {}):
        for key in ("department_code", "department"):
            if source.get(key):
                return str(source[key])
    return None


def _count_map(block: Any) -> dict[str, float]:
    """``{"A": {"population": 10}}`` or ``[{"tier": "A", "population": 10}]`` -> ``{"A": 10}``."""
    out: dict[str, float] = {}
    if isinstance(block, dict):
        for key, value in block.items():
            if isinstance(value, dict) and "population" in value:
                out[str(key)] = float(value["population"])
    elif isinstance(block, list):
        for item in block:
            if isinstance(item, dict) and "population" in item:
                label = next(
                    (
                        item[k]
                        for k in ("tier", "region_code", "region", "code", "key")
                        if k in item
                    ),
                    None,
                )
                if label is not None:
                    out[str(label)] = float(item["population"])
    return out


def receipt_populations(receipt: dict[str, Any] | None) -> dict[tuple[str, str], float]:
    """Known domain sizes from a receipt's per-tier and per-region counts, where present."""
    if not receipt:
        return {}
    block = receipt.get("counts")
    counts: dict[str, Any] = block if isinstance(block, dict) else receipt
    out: dict[tuple[str, str], float] = {}
    for column, keys in (
        ("tier", ("per_tier", "tiers", "tier", "by_tier")),
        ("region_code", ("per_region", "regions", "region", "by_region")),
    ):
        for key in keys:
            if key in counts:
                out.update({(column, k): v for k, v in _count_map(counts[key]).items()})
                break
    if "frame_size" in receipt:
        out[("all", "")] = float(receipt["frame_size"])
    return out


def run_export(
    directory: Directory,
    draw: pd.DataFrame,
    *,
    kind: Kind,
    fmt: Format,
    out: str | Path,
    assignment: pd.DataFrame | None = None,
    results: pd.DataFrame | None = None,
    department_code: str | None = None,
    split: Literal["none", "department", "division"] = "none",
    anchor: str | None = None,
    masker: NameMasker | None = None,
) -> tuple[list[Path], int]:
    """Build and write one export; returns (files written, rows or teams exported).

    ``anchor``: the audit chain head printed with a public list (from the database).
    ``masker``: the names a public list masks, when ``directory`` holds only the
    drawn entities (``scheduler.publication.db_inputs``); default: ``directory``'s.
    """
    if kind == "list":
        frame = inspection_list(
            directory, draw, assignment=assignment, department_code=department_code
        )
        return write_tables(
            split_frame(frame, split), LIST_COLUMNS, out, fmt, title="检查对象名单"
        ), len(frame)
    if kind == "tasks":
        if assignment is None:
            raise InvalidInputError("task sheets need an assignment file").about("assignment")
        sheets = task_sheets(directory, draw, assignment, department_code=department_code)
        return write_task_sheets(sheets, out, fmt), len(sheets)
    if kind == "public":
        frame = public_list(
            directory,
            draw=draw,
            results=results,
            assignment=assignment,
            department_code=department_code,
            masker=masker,
        )
        return write_tables(
            split_frame(frame, split), PUBLIC_COLUMNS, out, fmt, title="抽查结果公示", anchor=anchor
        ), len(frame)
    raise InvalidInputError(f"unknown export kind {kind!r}; expected list, tasks or public")


def export_recorded(
    engine: Engine,
    draw_id: str,
    *,
    kind: Kind,
    fmt: Format,
    out: str | Path,
    department_code: str | None = None,
    receipt: dict[str, Any] | None = None,
    split: Literal["none", "department", "division"] = "none",
) -> tuple[list[Path], int, str | None]:
    """``run_export`` of a draw recorded in the database; (files, rows or teams, anchor).

    Reads the draw's rows, its latest assignment and results, the drawn entities'
    rows with every inspector (``staffing_directory``) and, for the public list,
    the known names inside the drawn entities' names (``masker_from_db``) and the
    audit chain head: never the whole entity table. The files equal those built
    from the whole directory (``tests/unit_publication/test_db_inputs.py``).
    ``department_code`` and ``receipt`` name the department as in ``department_of``.
    """
    from scheduler.draw.db_scope import staffing_directory
    from scheduler.publication.db_inputs import masker_from_db
    from scheduler.publication.draw_links import db_inputs
    from scheduler.publication.public_list import list_anchor

    draw, assignment, results = db_inputs(engine, draw_id)
    directory = staffing_directory(engine, draw["uscc"].astype(str))
    public = kind == "public"
    anchor = list_anchor(engine) if public else None
    files, count = run_export(
        directory,
        draw,
        kind=kind,
        fmt=fmt,
        out=out,
        assignment=assignment,
        results=results,
        department_code=department_of(
            draw, assignment=assignment, receipt=receipt, explicit=department_code
        ),
        split=split,
        anchor=anchor,
        masker=masker_from_db(engine, directory.entities) if public else None,
    )
    return files, count, anchor


def run_estimate(
    draw: pd.DataFrame,
    results: pd.DataFrame,
    *,
    receipt: dict[str, Any] | None = None,
    department_code: str | None = None,
    by: Sequence[str] = ("department", "tier", "region"),
    confidence: float = 0.95,
    estimator: Literal["hajek", "ht"] = "hajek",
) -> EstimateReport:
    """Violation-rate estimates of a draw from its results (see ``estimates``)."""
    unknown = [b for b in by if b not in BY_COLUMNS]
    if unknown:
        raise InvalidInputError(
            f"estimates are broken down by {', '.join(BY_COLUMNS)} only; got {', '.join(unknown)}"
        ).about("by")
    dept = department_of(draw, receipt=receipt, explicit=department_code)
    sample = sample_frame(draw, results, department_code=dept)
    if sample["violation"].notna().sum() == 0:
        raise InvalidInputError("none of the drawn entities has a result for the draw's department")
    columns = list(dict.fromkeys(BY_COLUMNS[b] for b in by))
    return estimate_rates(
        sample,
        by=columns,
        population=receipt_populations(receipt),
        confidence=confidence,
        estimator=estimator,
    )


def estimate_recorded(
    engine: Engine,
    draw_id: str,
    *,
    by: Sequence[str] = ("tier", "region"),
    confidence: float = 0.95,
) -> EstimateReport | None:
    """``run_estimate`` for a draw recorded in the database and the results recorded with it;
    ``None`` while no result of the draw's department is recorded."""
    from scheduler.draw.plans import draw_receipt
    from scheduler.publication.draw_links import draw_frame, recorded_results

    receipt = draw_receipt(engine, draw_id)  # raises NotFoundError for an unknown draw
    results = recorded_results(engine, draw_id)  # first: the page asks before any is recorded
    if results is None:
        return None
    draw = draw_frame(engine, draw_id)  # the assignment is not needed for an estimate
    sample = sample_frame(draw, results, department_code=department_of(draw, receipt=receipt))
    if sample["violation"].notna().sum() == 0:
        return None
    return run_estimate(draw, results, receipt=receipt, by=by, confidence=confidence)
