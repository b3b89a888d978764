"""Synthetic law-enforcement staff (执法检查人员名录库).

Departments get inspectors in proportion to the size of their frames (at least
``MIN_PER_DEPARTMENT``); a department's inspectors sit in its busiest divisions
(all twelve once it has enough staff), each division group at least four strong
and with every sector of the department covered by several active inspectors,
so that any draw can be staffed by a team of two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.data.formats import LIST_SEPARATOR
from scheduler.data.synth.catalog import Catalog
from scheduler.data.synth.entities import EntityDraw
from scheduler.data.synth.people import person_names
from scheduler.data.synth.pick import apportion, concat

__all__ = ["InspectorDraw", "make_inspectors", "MIN_PER_DEPARTMENT"]

MIN_PER_DEPARTMENT = 4
"""Also the size of the smallest division group, all of whom are active."""
COVERAGE = 3
"""Active qualified inspectors per sector in each division group (if it has that many)."""
INACTIVE_SHARE = 0.05
QUALIFIED_SHARE = 0.6


@dataclass(frozen=True)
class InspectorDraw:
    frame: pd.DataFrame
    department: np.ndarray
    """Index into ``Catalog.department_codes`` per inspector."""
    region: np.ndarray
    active: np.ndarray


def _groups(cat: Catalog, entities: EntityDraw, counts: np.ndarray) -> list[tuple[int, int, int]]:
    """(department, region, size) for every group of inspectors, in output order."""
    groups: list[tuple[int, int, int]] = []
    regions = len(cat.region_codes)
    for d, m in enumerate(counts):
        members = entities.in_department[:, d] & entities.operating
        load = np.bincount(entities.region[members], minlength=regions).astype(float)
        covered = int(np.clip(m // MIN_PER_DEPARTMENT, 1, regions))
        busiest = np.argsort(-(load + 1e-9 * cat.region_population), kind="stable")
        chosen = np.sort(busiest[:covered])
        sizes = apportion(int(m), load[chosen] + 1.0, minimum=MIN_PER_DEPARTMENT)
        groups.extend((d, int(r), int(s)) for r, s in zip(chosen, sizes, strict=True))
    return groups


def _qualify(rng: np.random.Generator, sectors: np.ndarray, active: np.ndarray) -> np.ndarray:
    """(members, sectors) bool: random subsets, none empty, each sector covered."""
    size = active.size
    qualified = rng.random((size, sectors.size)) < QUALIFIED_SHARE
    empty = ~qualified.any(axis=1)
    qualified[np.flatnonzero(empty), rng.integers(0, sectors.size, int(empty.sum()))] = True
    on_duty = np.flatnonzero(active)
    need = min(COVERAGE, on_duty.size)
    for s in range(sectors.size):
        missing = need - int(qualified[on_duty, s].sum())
        if missing > 0:
            candidates = on_duty[~qualified[on_duty, s]]
            qualified[rng.choice(candidates, size=missing, replace=False), s] = True
    return qualified


def make_inspectors(
    rng: np.random.Generator, cat: Catalog, entities: EntityDraw, n_inspectors: int
) -> InspectorDraw:
    frames = (entities.in_department & entities.operating[:, None]).sum(axis=0)
    counts = apportion(n_inspectors, frames, minimum=MIN_PER_DEPARTMENT)
    departments, regions, actives, qualifications = [], [], [], []
    for d, r, size in _groups(cat, entities, counts):
        active = rng.random(size) >= INACTIVE_SHARE
        active[rng.permutation(size)[:MIN_PER_DEPARTMENT]] = True
        sectors = cat.department_sectors(d)
        qualified = _qualify(rng, sectors, active)
        codes = np.where(qualified, np.strings.add(cat.sector_codes[sectors], LIST_SEPARATOR), "")
        joined = codes[:, 0]
        for column in codes[:, 1:].T:
            joined = np.strings.add(joined, column)
        qualifications.append(np.strings.rstrip(joined, LIST_SEPARATOR))
        departments.append(np.full(size, d))
        regions.append(np.full(size, r))
        actives.append(active)
    department = np.concatenate(departments)
    region = np.concatenate(regions)
    n = department.size
    serial = np.empty(n, dtype=np.int64)
    for r in range(len(cat.region_codes)):
        rows = np.flatnonzero(region == r)
        serial[rows] = np.arange(1, rows.size + 1)
    width = max(4, len(str(int(serial.max()))))
    ids = concat("LF", cat.region_codes[region], np.strings.zfill(serial.astype(str), width))
    active = np.concatenate(actives)
    frame = pd.DataFrame(
        {
            "inspector_id": pd.Series(ids, dtype=object),
            "name": pd.Series(person_names(rng, n), dtype=object),
            "department_code": pd.Series(cat.department_codes[department], dtype=object),
            "region_code": pd.Series(cat.region_codes[region], dtype=object),
            "qualifications": pd.Series(np.concatenate(qualifications), dtype=object),
            "capacity": rng.integers(10, 41, n).astype(np.int64),
            "active": active,
        }
    )
    return InspectorDraw(frame, department, region, active)
