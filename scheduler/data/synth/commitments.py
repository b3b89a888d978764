"""Synthetic credit commitments (信用承诺) made for government services.

A few percent of the operating entities promised one of their departments,
in the last year, to hand in missing papers or meet a condition within 30 to
180 days. Most commitments due before "today" were kept; some were broken
(不实承诺/未履约) and some are overdue and still pending, so that the
commitment checks of a plan (``FrameRules.verify_commitments``) and the
dashboard's due/overdue counts have something to show.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from scheduler.data.synth.catalog import Catalog
from scheduler.data.synth.dates import to_timestamps
from scheduler.data.synth.entities import EntityDraw
from scheduler.data.synth.pick import choose

__all__ = ["make_commitments", "COMMITMENT_SHARE", "ITEMS"]

COMMITMENT_SHARE = 0.04
"""Operating entities with a commitment (800 of 20,000)."""
ITEMS = (
    "告知承诺：符合许可条件",
    "容缺受理：限期补齐申报材料",
    "告知承诺：符合资质条件",
    "容缺受理：限期补交证明文件",
    "告知承诺：经营场所符合要求",
    "告知承诺：从业人员符合要求",
)
"""Items fitting any department (the notice: 承诺符合审批条件, 在规定期限内补齐申报材料)."""
TERMS_DAYS = {30: 0.3, 60: 0.3, 90: 0.25, 180: 0.15}
"""Days between a commitment and its due day, with their shares."""
OUTCOMES_WHEN_DUE = {"fulfilled": 0.88, "broken": 0.05, "pending": 0.07}
"""Status of a commitment whose due day has passed (pending = overdue, not yet checked)."""


def make_commitments(
    rng: np.random.Generator, cat: Catalog, entities: EntityDraw, today: date
) -> pd.DataFrame:
    """One commitment per chosen entity, to a department that supervises it."""
    candidates = np.flatnonzero(entities.operating & entities.in_department.any(axis=1))
    picked = np.sort(rng.choice(candidates, round(COMMITMENT_SHARE * len(entities.frame))))
    picked = np.unique(picked)
    # a department of the entity, uniformly among those that supervise it
    eligible = entities.in_department[picked]
    scores = np.where(eligible, rng.random(eligible.shape), -1.0)
    department = scores.argmax(axis=1)
    day = np.datetime64(today, "D")
    committed = day - rng.integers(1, 366, picked.size)
    terms = np.array(list(TERMS_DAYS), dtype=np.int64)
    due = committed + terms[choose(rng, list(TERMS_DAYS.values()), picked.size)]
    outcomes = np.array(list(OUTCOMES_WHEN_DUE), dtype=object)
    status = outcomes[choose(rng, list(OUTCOMES_WHEN_DUE.values()), picked.size)]
    status[due >= day] = "pending"
    items = np.array(ITEMS, dtype=object)[rng.integers(0, len(ITEMS), picked.size)]
    return pd.DataFrame(
        {
            "uscc": pd.Series(entities.frame["uscc"].to_numpy()[picked], dtype=object),
            "department_code": pd.Series(
                cat.department_codes.astype(object)[department], dtype=object
            ),
            "item": pd.Series(items, dtype=object),
            "committed_on": to_timestamps(committed),
            "due_on": to_timestamps(due),
            "status": pd.Series(status, dtype=object),
        }
    )
