"""Assignment files: the CSV of SPEC section 4 plus a small JSON sidecar.

The CSV is UTF-8 with BOM and formula-safe names (it opens in Excel). The
sidecar ``<out>.meta.json`` keeps what the CSV cannot: window, settings, seed,
solver and calendar, so that ``scheduler swap`` can re-check a plan from files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from scheduler.data.atomic_files import atomic_target
from scheduler.data.formats import split_list
from scheduler.data.safe_cells import neutralise
from scheduler.errors import InvalidInputError, Problem
from scheduler.matching.result import (
    ASSIGNMENT_COLUMNS,
    Assignment,
    AssignmentResult,
    AssignSettings,
    UnassignedTask,
)

__all__ = ["assignment_outputs", "write_assignment", "read_assignment", "meta_path", "result_meta"]


def meta_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.stem + ".meta.json")


def result_meta(result: AssignmentResult) -> dict[str, Any]:
    """JSON-able description of a run (no assignments)."""
    solver = {k: v for k, v in result.solver.items() if k != "diagnosis"}
    return {
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "seed": result.seed,
        "settings": asdict(result.settings),
        "solver": solver,
        "extra_holidays": sorted(d.isoformat() for d in result.extra_holidays),
        "extra_workdays": sorted(d.isoformat() for d in result.extra_workdays),
        "unassigned": result.unassigned_frame().to_dict("records"),
    }


def assignment_outputs(
    result: AssignmentResult, path: str | Path
) -> list[tuple[Path, Callable[[Path], object]]]:
    """``(target, writer)`` of every file of a run: the CSV, the unassigned list, the sidecar.

    Each writer writes to the path it is given, so callers can stage the
    files (``scheduler.data.atomic_files.Staging``) and publish them after a commit.
    """
    path = Path(path)
    frame = result.to_frame()
    frame["name"] = frame["name"].map(neutralise)
    outputs: list[tuple[Path, Callable[[Path], object]]] = [
        (path, lambda p: frame.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n"))
    ]
    if result.unassigned:
        missing = result.unassigned_frame()
        missing["name"] = missing["name"].map(neutralise)
        outputs.append(
            (
                path.with_name(path.stem + ".unassigned.csv"),
                lambda p: missing.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n"),
            )
        )
    meta = json.dumps(result_meta(result), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    outputs.append((meta_path(path), lambda p: Path(p).write_text(meta, encoding="utf-8")))
    return outputs


def write_assignment(result: AssignmentResult, path: str | Path) -> list[Path]:
    """Write the assignment CSV, the unassigned list (if any) and the sidecar, each atomically."""
    written = []
    for target, writer in assignment_outputs(result, path):
        with atomic_target(target) as temporary:
            writer(temporary)
        written.append(target)
    return written


def read_assignment(path: str | Path) -> AssignmentResult:
    """Read an assignment CSV and its sidecar back into an ``AssignmentResult``."""
    path = Path(path)
    meta_file = meta_path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidInputError(
            problems=[Problem(path.name, None, None, f"cannot read plan: {error}")]
        ) from error
    missing = [c for c in ASSIGNMENT_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidInputError(
            problems=[Problem(path.name, 1, c, "missing column") for c in missing]
        )
    rows = []
    for r in frame.to_dict("records"):
        name = r["name"][1:] if r["name"].startswith("'") else r["name"]
        rows.append(
            Assignment(
                visit_id=r["visit_id"],
                draw_id=r["draw_id"],
                department_code=r["department_code"],
                uscc=r["uscc"],
                name=name,
                region_code=r["region_code"],
                lead_inspector_id=r["lead_inspector_id"],
                member_inspector_ids=tuple(split_list(r["member_inspector_ids"])),
                department_inspector_ids=tuple(split_list(r["department_inspector_ids"])),
                scheduled_on=date.fromisoformat(r["scheduled_on"]),
                cross_region=r["cross_region"] == "True",
                items=tuple(split_list(r["items"])),
            )
        )

    return AssignmentResult(
        assignments=tuple(rows),
        unassigned=tuple(UnassignedTask(**u) for u in meta.get("unassigned", [])),
        start=date.fromisoformat(meta["start"]),
        end=date.fromisoformat(meta["end"]),
        settings=AssignSettings(**meta["settings"]),
        seed=meta.get("seed"),
        solver=meta.get("solver", {}),
        extra_holidays=frozenset(date.fromisoformat(d) for d in meta.get("extra_holidays", [])),
        extra_workdays=frozenset(date.fromisoformat(d) for d in meta.get("extra_workdays", [])),
    )
