"""The population a simulation starts from: one region and one tier per entity.

A simulation needs nothing else, so a million-entity population is two small
integer arrays.  It comes either from a directory (a data folder or the
database: active entities with their effective tiers) or is generated directly
from the reference tier mix and region populations, which keeps the benchmark
independent of the full sample-data generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from scheduler.data.directory import Directory
from scheduler.data.reference import PUBLIC_DEPARTMENT, TierScheme, regions, tier_scheme
from scheduler.errors import InvalidInputError, Problem

__all__ = ["Population", "synthetic_population", "population_from_directory"]

ACTIVE_STATUS = "存续"


@dataclass(frozen=True)
class Population:
    """Entities as two parallel arrays of small integer codes.

    ``region`` indexes ``region_codes``; ``tier`` indexes ``scheme.codes``
    (0 = best tier).
    """

    region: np.ndarray
    tier: np.ndarray
    region_codes: tuple[str, ...]
    scheme: TierScheme
    source: str

    def __post_init__(self) -> None:
        if self.region.shape != self.tier.shape or self.region.ndim != 1:
            raise InvalidInputError("region and tier must be 1-d arrays of equal length")
        if len(self.tier) == 0:
            raise InvalidInputError("the population is empty: no active entity to simulate")

    @property
    def size(self) -> int:
        return int(len(self.tier))

    def tier_counts(self) -> dict[str, int]:
        counts = np.bincount(self.tier, minlength=len(self.scheme.tiers))
        return {code: int(n) for code, n in zip(self.scheme.codes, counts, strict=True)}

    def describe(self) -> dict[str, object]:
        """Plain values for the JSON summary."""
        return {
            "source": self.source,
            "size": self.size,
            "scheme": self.scheme.name,
            "regions": len(self.region_codes),
            "tier_counts": self.tier_counts(),
        }


def _small_int(values: np.ndarray, levels: int) -> np.ndarray:
    dtype = np.int8 if levels <= np.iinfo(np.int8).max else np.int32
    return values.astype(dtype, copy=False)


def synthetic_population(
    size: int, *, rng: np.random.Generator | int | None, scheme: TierScheme | str | None = None
) -> Population:
    """``size`` entities spread over the reference regions by population, tiers by mix."""
    if size < 1:
        raise InvalidInputError(f"`size` must be a positive number of entities; got {size}.")
    rng = np.random.default_rng(rng)
    scheme = scheme if isinstance(scheme, TierScheme) else tier_scheme(scheme)
    reference = regions()
    region_p = np.array([r.population_10k for r in reference], dtype=np.float64)
    tier_p = np.array([t.mix for t in scheme.tiers], dtype=np.float64)
    # Inverse-CDF look-up: one uniform per entity and column, O(N) apart from a
    # binary search over 12 (resp. k) cut points.
    region = np.searchsorted(np.cumsum(region_p / region_p.sum())[:-1], rng.random(size))
    tier = np.searchsorted(np.cumsum(tier_p / tier_p.sum())[:-1], rng.random(size))
    return Population(
        region=_small_int(region, len(reference)),
        tier=_small_int(tier, len(scheme.tiers)),
        region_codes=tuple(r.code for r in reference),
        scheme=scheme,
        source=f"synthetic:{size}",
    )


def population_from_directory(
    directory: Directory,
    *,
    on: date | None = None,
    department: str | None = None,
    scheme: TierScheme | str | None = None,
    source: str = "directory",
) -> Population:
    """Active (存续) entities with the tier ``department`` sees on day ``on``.

    ``department=None`` uses the public comprehensive rating; entities without a
    valid rating get the scheme's default tier (``scheduler.draw.tiers``). ``on=None``
    takes the latest rating date in the data, so that the same folder always
    gives the same population (not today's date).
    """
    from scheduler.draw.tiers import effective_tiers

    scheme = scheme if isinstance(scheme, TierScheme) else tier_scheme(scheme)
    entities = directory.entities
    if on is None:
        latest = (
            pd.to_datetime(directory.ratings["evaluated_on"]).max()
            if len(directory.ratings)
            else pd.NaT
        )
        on = date(2000, 1, 1) if pd.isna(latest) else latest.date()
    tiers = effective_tiers(directory, department or PUBLIC_DEPARTMENT, on=on, scheme=scheme)
    active = (
        (entities["status"].astype(str).to_numpy() == ACTIVE_STATUS)
        if len(entities)
        else (np.zeros(0, dtype=bool))
    )
    tier_codes = tiers.to_numpy()[active].astype(str)
    region_codes = entities["region_code"].astype(str).to_numpy()[active]
    tier = pd.Index(scheme.codes).get_indexer(tier_codes)
    if (tier < 0).any():
        bad = sorted(set(tier_codes[tier < 0]))
        raise InvalidInputError(
            problems=[
                Problem(
                    "ratings.csv",
                    None,
                    "tier",
                    f"tier(s) {', '.join(bad)} are not in scheme {scheme.name!r} "
                    f"({', '.join(scheme.codes)})",
                )
            ]
        )
    region_levels, region = np.unique(region_codes, return_inverse=True)
    return Population(
        region=_small_int(region, len(region_levels)),
        tier=_small_int(tier, len(scheme.tiers)),
        region_codes=tuple(str(c) for c in region_levels),
        scheme=scheme,
        source=source,
    )
