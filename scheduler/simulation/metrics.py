"""Metrics derived from the per-period counts, and their spread across replications.

The runner records plain counts per replication, policy and period (see
``dynamics.RAW_FIELDS``); every metric is a ratio of them, computed here in
one place for the CSV, the JSON summary, the charts and the markdown table.

Intervals: ``lo``/``hi`` are the 2.5% and 97.5% quantiles across replications,
i.e. the range a city could see in one run of the future; ``se`` is the
Monte Carlo standard error of the mean.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["HEADLINE_METRICS", "Metric", "Spread", "metric_catalogue", "derive", "summarise"]

HEADLINE_METRICS = (
    "hit_rate",
    "compliant_share",
    "best_tier_inspected",
    "time_to_detection",
    "coverage_3y",
    "coverage_5y",
    "prevalence",
)
"""The metrics a policy comparison shows first (tables and charts); tier shares follow."""


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    """English label, for charts and the markdown table."""
    unit: str


def metric_catalogue(tier_codes: tuple[str, ...]) -> tuple[Metric, ...]:
    """The metrics, in output order; the best tier's code names the burden metric."""
    best = tier_codes[0]
    return (
        Metric("hit_rate", "Violations found per 100 inspections", "%"),
        Metric("compliant_share", "Inspections spent on compliant entities", "%"),
        Metric("best_tier_inspected", f"Tier-{best} entities inspected", "%"),
        Metric("time_to_detection", "Mean time to first detection of a violator", "years"),
        Metric("coverage_3y", "Entities inspected at least once in 3 years", "%"),
        Metric("coverage_5y", "Entities inspected at least once in 5 years", "%"),
        Metric("prevalence", "Entities in violation", "%"),
        Metric("inspections", "Inspections", "count"),
        Metric("violations_found", "Violations found", "count"),
        *(Metric(f"tier_share_{c}", f"Entities in tier {c}", "%") for c in tier_codes),
    )


def _ratio(num: np.ndarray, den: np.ndarray, scale: float = 100.0) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, scale * num / np.where(den > 0, den, 1.0), np.nan)


def derive(
    raw: np.ndarray, fields: tuple[str, ...], tier_codes: tuple[str, ...], periods_per_year: int
) -> np.ndarray:
    """Metrics array ``(..., T, M)`` from the raw counts ``(..., T, F)``.

    Mean time to first detection uses the person-time estimator: violating
    periods of not-yet-detected violators divided by first detections, both
    summed from the start up to each period. It is the mean of a constant
    per-period detection hazard and, unlike an average over detected violators
    only, is not biased by violators still undetected at the horizon.
    """
    f = {name: raw[..., i] for i, name in enumerate(fields)}
    exposure = np.cumsum(f["undetected_violating"], axis=-1)
    firsts = np.cumsum(f["first_found"], axis=-1)
    columns = [
        _ratio(f["found"], f["inspections"]),
        _ratio(f["compliant_inspected"], f["inspections"]),
        _ratio(f["best_tier_inspected"], f["best_tier_entities"]),
        _ratio(exposure, firsts, 1.0 / periods_per_year),
        _ratio(f["covered_3y"], f["entities"]),
        _ratio(f["covered_5y"], f["entities"]),
        _ratio(f["violating"], f["entities"]),
        f["inspections"],
        f["found"],
        *(_ratio(f[f"tier_{c}"], f["entities"]) for c in tier_codes),
    ]
    return np.stack(columns, axis=-1)


@dataclass(frozen=True)
class Spread:
    mean: np.ndarray
    se: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def summarise(values: np.ndarray) -> Spread:
    """Mean, standard error and 95% quantile interval over axis 0 (replications).

    Replications where a metric is undefined (NaN, e.g. no detection yet) are
    left out of that metric's figures.
    """
    valid = ~np.isnan(values)
    count = valid.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, np.nansum(values, axis=0) / np.maximum(count, 1), np.nan)
        centred = np.where(valid, values - mean, 0.0)
        var = np.where(count > 1, (centred**2).sum(axis=0) / np.maximum(count - 1, 1), np.nan)
        se = np.sqrt(var / np.maximum(count, 1))
    if valid.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices stay NaN
            lo, hi = np.nanquantile(values, [0.025, 0.975], axis=0)
    else:
        lo = hi = np.full(values.shape[1:], np.nan)
    return Spread(mean=mean, se=se, lo=lo, hi=hi)
