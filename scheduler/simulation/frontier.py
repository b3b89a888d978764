"""The frontier of a sweep: policies no other policy beats on every objective.

A planner weighs four things at one budget: violations found per inspection
(more is better), the share of inspections spent on compliant entities and the
burden on the best tier (less is better), and coverage of the directory (more is
better).  No single score ranks them without a weighting nobody has agreed on,
so the sweep reports the non-dominated set: policy ``j`` dominates ``i`` when it
is at least as good on every objective and strictly better on one.  Policies
off the frontier can be dropped whatever the weighting; the choice among the
frontier is the city's.

Objectives are horizon means across replications (``output``); ties (equal
vectors) dominate neither way, so both stay on the frontier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scheduler.errors import InvalidInputError

__all__ = ["OBJECTIVES", "Objective", "non_dominated"]


@dataclass(frozen=True)
class Objective:
    metric: str
    """Name in ``metrics.metric_catalogue``."""
    maximise: bool


OBJECTIVES: tuple[Objective, ...] = (
    Objective("hit_rate", maximise=True),
    Objective("compliant_share", maximise=False),
    Objective("best_tier_inspected", maximise=False),
    Objective("coverage_3y", maximise=True),
)
"""The four objectives of the issue, in the order of the CSV columns."""


def non_dominated(values: np.ndarray, maximise: tuple[bool, ...] | list[bool]) -> np.ndarray:
    """Boolean mask of the rows of ``values`` (policies x objectives) on the frontier.

    O(P^2 m) with whole-array comparisons: 5,000 policies x 4 objectives is a
    100M-element comparison, well under a second, and sweeps are far smaller.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2 or v.shape[1] != len(maximise):
        raise InvalidInputError(
            f"`values` must be (policies, {len(maximise)}) objectives; got shape {v.shape}"
        )
    if np.isnan(v).any():
        rows = sorted(set(np.argwhere(np.isnan(v))[:, 0].tolist()))
        raise InvalidInputError(f"objective values are undefined (NaN) for row(s) {rows}")
    better = np.where(np.asarray(maximise, dtype=bool), v, -v)  # larger is better everywhere
    at_least = (better[:, None, :] >= better[None, :, :]).all(axis=2)  # [j, i]: j >= i
    strictly = (better[:, None, :] > better[None, :, :]).any(axis=2)
    dominated = np.asarray((at_least & strictly).any(axis=0), dtype=bool)
    kept: np.ndarray = np.logical_not(dominated)
    return kept
