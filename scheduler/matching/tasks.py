"""From drawn entities to tasks and visits, merging joint inspections.

A *task* is one department's items on one entity; a *visit* is one trip to one
entity. When several departments' draws contain the same entity in the window
their tasks share one visit ("进一次门、查多项事"): one date, one lead, and
inspectors from each department.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scheduler.data.directory import Directory, sectors_by_department
from scheduler.data.formats import split_list
from scheduler.errors import InvalidInputError, Problem

__all__ = [
    "DrawInput",
    "TaskTable",
    "build_tasks",
    "read_draw_input",
    "receipt_department",
    "slots_per_department",
]


@dataclass(frozen=True)
class DrawInput:
    """One department's drawn entities (the rows of a draw CSV)."""

    draw_id: str
    department_code: str
    frame: pd.DataFrame
    source: str = "draw"
    """File name or database id, used in error messages."""


@dataclass(frozen=True)
class TaskTable:
    """Tasks (one row per visit x department) with integer ids, ready for the solver.

    ``tasks`` columns: task, visit, visit_id, draw_ids, department_code, uscc,
    name, region_code, sectors (tuple of codes), slots.
    ``visits`` columns: visit, visit_id, uscc, name, region_code, departments.
    """

    tasks: pd.DataFrame
    visits: pd.DataFrame


def slots_per_department(team_size: int, n_departments: int) -> int:
    """Inspectors each department sends to a visit shared by ``n_departments``.

    Alone a department sends the whole team; on a joint visit the team is split
    so that the visit still has at least ``team_size`` members and each
    department at least one of its own (it enforces its own items).
    """
    return max(1, math.ceil(team_size / max(1, n_departments)))


def receipt_department(receipt: dict[str, Any]) -> str | None:
    """The department of a draw receipt (``parameters.department_code``)."""
    params = receipt.get("parameters") or {}
    for source in (params, receipt):
        for key in ("department_code", "department"):
            if source.get(key):
                return str(source[key])
    return None


def _sibling_receipt(path: Path) -> Path | None:
    for candidate in (
        path.with_suffix(".receipt.json"),
        path.with_name(path.stem + "_receipt.json"),
        path.with_suffix(".json"),
    ):
        if candidate.is_file():
            return candidate
    return None


def read_draw_input(
    path: str | Path, department_code: str | None = None, receipt: str | Path | None = None
) -> DrawInput:
    """Read a draw CSV (SPEC section 4) with ``scheduler.draw.run.read_draw_csv``.

    The draw's department comes from ``department_code``, else the receipt's
    ``parameters.department_code`` (the receipt given, or one next to the draw
    named ``<draw>.receipt.json``, ``<draw>_receipt.json`` or ``<draw>.json``).
    """
    from scheduler.draw.receipt import read_json
    from scheduler.draw.run import read_draw_csv

    path = Path(path)
    frame = read_draw_csv(path)
    if department_code is None:
        receipt_path = Path(receipt) if receipt is not None else _sibling_receipt(path)
        if receipt_path is not None:
            department_code = receipt_department(read_json(receipt_path))
    if department_code is None:
        raise InvalidInputError(
            problems=[
                Problem(
                    path.name,
                    None,
                    None,
                    "the draw's department is unknown: give its receipt or its department",
                )
            ]
        ).about("receipt", "department")
    draw_ids = frame["draw_id"].unique()
    draw_id = str(draw_ids[0]) if len(draw_ids) else path.stem
    return DrawInput(draw_id, department_code, frame, source=path.name)


def build_tasks(directory: Directory, draws: list[DrawInput], team_size: int) -> TaskTable:
    """Validate the draws against the directory and build tasks and visits.

    Plain dicts and numpy here: per-group pandas aggregation is far slower at
    50k tasks.
    """
    entity_index = pd.Index(directory.entities["uscc"].astype(str))
    known_departments = set(map(str, directory.departments["code"]))
    dept_sectors = sectors_by_department(directory)
    problems: list[Problem] = []
    draw_ids: dict[tuple[str, str], list[str]] = {}
    for draw in draws:
        if draw.department_code not in known_departments:
            problems.append(
                Problem(draw.source, None, None, f"unknown department {draw.department_code!r}")
            )
            continue
        usccs = draw.frame["uscc"].astype(str).to_numpy(dtype=object)
        ids = draw.frame["draw_id"].astype(str).to_numpy(dtype=object)
        found = entity_index.get_indexer(usccs)
        for offset in np.nonzero(found < 0)[0]:
            problems.append(
                Problem(
                    draw.source,
                    int(offset) + 2,
                    "uscc",
                    f"{usccs[offset]} is not in the entity directory",
                )
            )
        for uscc, draw_id in zip(usccs, ids, strict=True):
            # The same department drawing an entity twice (two draws) is still one task.
            ids_of = draw_ids.setdefault((uscc, draw.department_code), [])
            if draw_id not in ids_of:
                ids_of.append(draw_id)
    if problems:
        raise InvalidInputError(problems=problems)
    keys = sorted(draw_ids)
    usccs = np.array([k[0] for k in keys], dtype=object)
    depts = np.array([k[1] for k in keys], dtype=object)
    rows = entity_index.get_indexer(usccs) if keys else np.zeros(0, dtype=np.int64)
    ent = directory.entities
    names = ent["name"].astype(str).to_numpy(dtype=object)[rows]
    regions = ent["region_code"].astype(str).to_numpy(dtype=object)[rows]
    raw_sectors = ent["sectors"].astype(str).to_numpy(dtype=object)[rows]
    sectors = [
        tuple(sorted(frozenset(split_list(x)) & dept_sectors.get(d, frozenset())))
        for x, d in zip(raw_sectors, depts, strict=True)
    ]
    visit_codes, visit = (
        np.unique(usccs.astype(str), return_inverse=True)
        if keys
        else (np.zeros(0), np.zeros(0, int))
    )
    n_departments = np.bincount(visit, minlength=len(visit_codes))
    visit_ids = np.array([f"V{v + 1:06d}" for v in range(len(visit_codes))], dtype=object)
    tasks = pd.DataFrame(
        {
            "task": np.arange(len(keys)),
            "visit": visit,
            "visit_id": visit_ids[visit] if keys else np.zeros(0, dtype=object),
            "draw_ids": [tuple(draw_ids[k]) for k in keys],
            "department_code": depts,
            "uscc": usccs,
            "name": names,
            "region_code": regions,
            "sectors": sectors,
            "slots": [slots_per_department(team_size, int(n_departments[v])) for v in visit],
        }
    )
    first = np.unique(visit, return_index=True)[1] if keys else np.zeros(0, dtype=np.int64)
    departments: list[list[str]] = [[] for _ in range(len(visit_codes))]
    for v, d in zip(visit, depts, strict=True):
        departments[v].append(d)
    visits = pd.DataFrame(
        {
            "visit": np.arange(len(visit_codes)),
            "visit_id": visit_ids,
            "uscc": usccs[first],
            "name": names[first],
            "region_code": regions[first],
            "departments": [tuple(x) for x in departments],
        }
    )
    return TaskTable(tasks, visits)
