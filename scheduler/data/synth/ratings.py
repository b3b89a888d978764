"""Synthetic credit ratings: a public comprehensive rating and departments' own.

Each entity has one latent tier; its ratings are that tier (mostly) or one tier
apart, so department ratings correlate with the public one as in practice.
The latent tiers of publicly rated entities are allocated with exact counts,
so the realised PUBLIC shares equal the configured mix to within one entity.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from scheduler.data.reference import PUBLIC_DEPARTMENT, TierScheme
from scheduler.data.synth.catalog import Catalog
from scheduler.data.synth.dates import to_timestamps, working_days
from scheduler.data.synth.entities import EntityDraw
from scheduler.data.synth.pick import exact_labels

__all__ = ["make_ratings", "PUBLIC_SHARE", "RATING_SHARE"]

PUBLIC_SHARE = 0.9
"""Entities with a current public comprehensive rating."""
PREVIOUS_SHARE = 0.1
"""Publicly rated entities that also keep last round's (superseded) rating."""
RATING_SHARE = {
    "MARKET": 0.6,
    "TAX": 0.5,
    "ENVIRONMENT": 0.4,
    "HOUSING": 0.4,
    "TRANSPORT": 0.4,
    "SAFETY": 0.3,
}
"""Share of a department's entities that it rates itself; others rate 20%."""
DEFAULT_RATING_SHARE = 0.2
AGREEMENT = 0.8
"""Chance that a rating equals the latent tier; otherwise it is one tier better or worse."""


def _shift(rng: np.random.Generator, tier: np.ndarray, levels: int) -> np.ndarray:
    u = rng.random(tier.size)
    step = np.where(u < AGREEMENT, 0, np.where(u < (1 + AGREEMENT) / 2, -1, 1))
    shifted: np.ndarray = np.clip(tier + step, 0, levels - 1)
    return shifted


def _dated(rng: np.random.Generator, days: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Evaluation dates from ``days`` and validity of one or two years."""
    evaluated = days[rng.integers(0, days.size, size)]
    years = rng.integers(1, 3, size)
    valid = evaluated + (365 * years).astype("timedelta64[D]")
    return to_timestamps(evaluated), to_timestamps(valid)


def make_ratings(
    rng: np.random.Generator, cat: Catalog, entities: EntityDraw, scheme: TierScheme, today: date
) -> pd.DataFrame:
    n = len(entities.frame)
    levels = len(scheme.tiers)
    mix = [t.mix for t in scheme.tiers]
    rated = np.zeros(n, dtype=bool)
    rated[rng.permutation(n)[: round(PUBLIC_SHARE * n)]] = True
    latent = np.empty(n, dtype=np.int64)
    latent[rated] = exact_labels(rng, mix, int(rated.sum()))
    latent[~rated] = exact_labels(rng, mix, int((~rated).sum()))
    this_year = working_days(today, 365, 1)
    last_year = working_days(today, 730, 366)

    index_parts, department_parts, tier_parts, evaluated_parts, valid_parts = [], [], [], [], []

    def add(rows: np.ndarray, department: str, tiers: np.ndarray, days: np.ndarray) -> None:
        evaluated, valid = _dated(rng, days, rows.size)
        index_parts.append(rows)
        department_parts.append(np.full(rows.size, department, dtype=object))
        tier_parts.append(tiers)
        evaluated_parts.append(evaluated)
        valid_parts.append(valid)

    public_rows = np.flatnonzero(rated)
    add(public_rows, PUBLIC_DEPARTMENT, latent[public_rows], this_year)
    previous = public_rows[rng.random(public_rows.size) < PREVIOUS_SHARE]
    add(previous, PUBLIC_DEPARTMENT, _shift(rng, latent[previous], levels), last_year)
    for d, code in enumerate(cat.department_codes):
        members = np.flatnonzero(entities.in_department[:, d])
        share = RATING_SHARE.get(str(code), DEFAULT_RATING_SHARE)
        rows = members[rng.random(members.size) < share]
        add(rows, str(code), _shift(rng, latent[rows], levels), this_year)

    rows = np.concatenate(index_parts)
    codes = np.array(scheme.codes, dtype=object)
    return pd.DataFrame(
        {
            "uscc": pd.Series(entities.frame["uscc"].to_numpy()[rows], dtype=object),
            "department_code": pd.Series(np.concatenate(department_parts), dtype=object),
            "tier": pd.Series(codes[np.concatenate(tier_parts)], dtype=object),
            "evaluated_on": np.concatenate(evaluated_parts),
            "valid_until": np.concatenate(valid_parts),
        }
    )
