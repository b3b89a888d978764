"""Synthetic conflicts of interest (回避) and inspection history of the last two years.

Both pair inspectors with entities of their own department, in the same
division where possible, so that the exclusions and the 12-month repeat rule
actually bite when a plan is drawn from the sample data.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from scheduler.data.formats import LIST_SEPARATOR
from scheduler.data.synth.catalog import Catalog
from scheduler.data.synth.dates import to_timestamps, working_days
from scheduler.data.synth.entities import EntityDraw
from scheduler.data.synth.inspectors import InspectorDraw
from scheduler.data.synth.pick import choose, choose_within, concat

__all__ = ["make_conflicts", "make_history", "CONFLICT_RATE", "INSPECTED_SHARE"]

CONFLICT_RATE = 0.015
"""Conflicts per entity: a few hundred per 20,000 entities."""
CONFLICT_REASONS = {
    "亲属关系": 0.4,
    "利害关系": 0.25,
    "曾在该单位任职": 0.2,
    "其他可能影响公正执法的关系": 0.15,
}
INSPECTED_SHARE = 0.08
"""Share of a department's entities inspected in each of the last two years."""
RESULT_CODES = {
    "01": 82.0,
    "02": 6.0,
    "03": 3.0,
    "09": 3.0,
    "13": 3.0,
    "10": 2.0,
    "06": 0.5,
    "04": 0.3,
    "14": 0.2,
}


def _by_region(region: np.ndarray, regions: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order of rows sorted by region, and each region's start and count in that order."""
    order = np.argsort(region, kind="stable")
    counts = np.bincount(region, minlength=regions)
    return order, np.cumsum(counts) - counts, counts


def make_conflicts(
    rng: np.random.Generator, cat: Catalog, entities: EntityDraw, inspectors: InspectorDraw
) -> pd.DataFrame:
    regions = len(cat.region_codes)
    size = round(CONFLICT_RATE * len(entities.frame))
    wanted = rng.integers(0, inspectors.department.size, size)
    pairs_inspector, pairs_entity = [], []
    for d in range(len(cat.department_codes)):
        chosen = wanted[inspectors.department[wanted] == d]
        members = np.flatnonzero(entities.in_department[:, d] & entities.operating)
        order, starts, counts = _by_region(entities.region[members], regions)
        where = inspectors.region[chosen]
        chosen, where = chosen[counts[where] > 0], where[counts[where] > 0]
        picked = members[order[choose_within(rng, starts[where], counts[where])]]
        pairs_inspector.append(chosen)
        pairs_entity.append(picked)
    inspector_ids = inspectors.frame["inspector_id"].to_numpy()
    usccs = entities.frame["uscc"].to_numpy()
    frame = pd.DataFrame(
        {
            "inspector_id": pd.Series(inspector_ids[np.concatenate(pairs_inspector)], dtype=object),
            "uscc": pd.Series(usccs[np.concatenate(pairs_entity)], dtype=object),
        }
    ).drop_duplicates(ignore_index=True)
    reasons = np.array(list(CONFLICT_REASONS), dtype=object)
    picked = choose(rng, list(CONFLICT_REASONS.values()), len(frame))
    frame["reason"] = pd.Series(reasons[picked], dtype=object)
    return frame


def make_history(
    rng: np.random.Generator,
    cat: Catalog,
    entities: EntityDraw,
    inspectors: InspectorDraw,
    today: date,
) -> pd.DataFrame:
    regions = len(cat.region_codes)
    years = (working_days(today, 365, 1), working_days(today, 730, 366))
    ids = inspectors.frame["inspector_id"].to_numpy().astype(str)
    rows, departments, days, firsts, seconds = [], [], [], [], []
    for d in range(len(cat.department_codes)):
        staff = np.flatnonzero(inspectors.department == d)
        order, starts, counts = _by_region(inspectors.region[staff], regions)
        members = np.flatnonzero(entities.in_department[:, d])
        for window in years:
            picked = members[rng.random(members.size) < INSPECTED_SHARE]
            where = entities.region[picked]
            local = counts[where] >= 2
            start = np.where(local, starts[where], 0)
            count = np.where(local, counts[where], staff.size)
            first = choose_within(rng, start, count)
            second = choose_within(rng, start, count - 1)
            second = second + (second >= first)
            rows.append(picked)
            departments.append(np.full(picked.size, d))
            days.append(window[rng.integers(0, window.size, picked.size)])
            firsts.append(staff[order[first]])
            seconds.append(staff[order[second]])
    entity = np.concatenate(rows)
    inspected = np.concatenate(days)
    chrono = np.lexsort((entity, inspected))
    codes = np.array(list(RESULT_CODES), dtype=object)
    return pd.DataFrame(
        {
            "uscc": pd.Series(entities.frame["uscc"].to_numpy()[entity[chrono]], dtype=object),
            "department_code": pd.Series(
                cat.department_codes.astype(object)[np.concatenate(departments)[chrono]],
                dtype=object,
            ),
            "inspected_on": to_timestamps(inspected[chrono]),
            "inspector_ids": pd.Series(
                concat(
                    ids[np.concatenate(firsts)[chrono]],
                    LIST_SEPARATOR,
                    ids[np.concatenate(seconds)[chrono]],
                ),
                dtype=object,
            ),
            "result_code": pd.Series(
                codes[choose(rng, list(RESULT_CODES.values()), entity.size)], dtype=object
            ),
        }
    )
