"""Model parameters of the policy simulation and their conversion to one period.

The published presets give *annual* sampling ratios, and the behaviour a city
knows (entity turnover, how long a violation lasts, the minimum period before
credit repair) is also stated per year.  ``ModelParameters`` therefore holds
yearly figures; ``PeriodRates`` converts them once to the chosen period
(a year or a quarter) so the per-period step only does table look-ups.

Per-tier violation propensities are not published anywhere, so they are
parameters with defaults: by default they rise geometrically from 2% for the best
tier to 30% for the worst, whatever the number of tiers (so the 5-tier scheme
works unchanged).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scheduler.data.reference import TierScheme
from scheduler.errors import InvalidInputError, Problem
from scheduler.publication.rules import LifecycleRules

__all__ = [
    "PERIODS_PER_YEAR",
    "ModelParameters",
    "PeriodRates",
    "default_propensities",
    "period_rates",
]

PERIODS_PER_YEAR: dict[str, int] = {"year": 1, "quarter": 4}
"""Period units the simulation understands, with their number per year."""

_RULES = LifecycleRules()
_BEST_PROPENSITY = 0.02
_WORST_PROPENSITY = 0.30


def default_propensities(scheme: TierScheme) -> dict[str, float]:
    """Share of entities of each latent class in violation at any time, best tier first.

    A geometric ladder from 2% to 30%: an assumption (per-tier rates are not
    published), chosen so the worst class violates about 15 times as often as the
    best, the ratio of the SPEC's default budget weights (1:15).
    """
    k = len(scheme.tiers)
    if k == 1:
        return {scheme.codes[0]: _BEST_PROPENSITY}
    ratio = (_WORST_PROPENSITY / _BEST_PROPENSITY) ** (1 / (k - 1))
    return {code: round(_BEST_PROPENSITY * ratio**i, 4) for i, code in enumerate(scheme.codes)}


@dataclass(frozen=True)
class ModelParameters:
    """Behavioural assumptions of the simulation; every figure is per year.

    Attributes
    ----------
    propensity
        Per latent class, the share in violation at a random time without
        inspections (the stationary prevalence).  ``None``: ``default_propensities``.
    detection
        Probability that an inspection of a violating entity finds the violation.
    self_correction
        Yearly probability that a violation ends without an inspection.
    exit_rate
        Yearly share of entities that leave (注销/吊销); each is replaced by a new
        entity in the same region, rated the scheme's default tier.
    repair_after_years, repair_after_worst_years
        Minimum publicity period after the last finding before a credit repair
        (信用修复), for a general downgrade and for the worst tier.
    repair_rate
        Yearly probability that an eligible entity completes a repair, which
        restores the tier of its last rating (the one held before the findings).
    rerating_rate
        Yearly probability that an entity is rated afresh from information other
        than these inspections (tax, courts, complaints, other departments).
    rating_accuracy
        Probability that a rating (the starting one or a fresh one) reflects the
        entity's true risk class; otherwise the class is unrelated to the tier
        (drawn from the population's tier mix).
    repeat_window_years
        A second finding within this time of the previous one sends the entity
        straight to the worst tier; otherwise a finding lowers it by one tier.

    The repair and repeat periods default to the publication area's
    ``LifecycleRules`` (90 days, 365 days for the worst tier, 365 days), so the
    simulation and the real credit lifecycle agree.
    """

    propensity: dict[str, float] | None = None
    detection: float = 0.8
    self_correction: float = 0.3
    exit_rate: float = 0.08
    repair_after_years: float = _RULES.min_publicity_days / 365
    repair_after_worst_years: float = _RULES.min_publicity_days_worst / 365
    repair_rate: float = 0.5
    repeat_window_years: float = _RULES.repeat_window_days / 365
    rerating_rate: float = 0.25
    rating_accuracy: float = 0.8

    def resolved_propensity(self, scheme: TierScheme) -> dict[str, float]:
        return dict(self.propensity) if self.propensity else default_propensities(scheme)

    def as_dict(self, scheme: TierScheme) -> dict[str, object]:
        """Plain values for the JSON summary."""
        return {
            "propensity": self.resolved_propensity(scheme),
            "detection": self.detection,
            "self_correction": self.self_correction,
            "exit_rate": self.exit_rate,
            "repair_after_years": self.repair_after_years,
            "repair_after_worst_years": self.repair_after_worst_years,
            "repair_rate": self.repair_rate,
            "repeat_window_years": self.repeat_window_years,
            "rerating_rate": self.rerating_rate,
            "rating_accuracy": self.rating_accuracy,
        }


@dataclass(frozen=True)
class PeriodRates:
    """``ModelParameters`` converted to one period of the chosen unit."""

    periods_per_year: int
    propensity: np.ndarray
    """float64, one per tier, best first."""
    onset: np.ndarray
    """float64, per tier: chance a compliant entity starts violating in a period."""
    stop: float
    detection: float
    exit: float
    repair_after: int
    """periods"""
    repair_after_worst: int
    """periods"""
    repair: float
    repeat_window: int
    """periods"""
    rerate: float
    accuracy: float


def _per_period(yearly: float, periods_per_year: int) -> float:
    return 1.0 - float((1.0 - yearly) ** (1.0 / periods_per_year))


def _periods(years: float, periods_per_year: int) -> int:
    return max(1, math.ceil(years * periods_per_year - 1e-9))


def period_rates(params: ModelParameters, scheme: TierScheme, unit: str) -> PeriodRates:
    """Validate ``params`` against ``scheme`` and convert them to one period.

    A violation is a two-state chain per entity: it starts with probability
    ``onset`` and ends by itself with probability ``stop``, so that without
    inspections the share in violation stays at the tier's propensity
    (``onset = stop * p / (1 - p)``).
    """
    problems: list[Problem] = []

    def bad(name: str, reason: str) -> None:
        problems.append(Problem("parameters", None, name, reason))

    if unit not in PERIODS_PER_YEAR:
        bad("period", f"must be one of {', '.join(PERIODS_PER_YEAR)}; got {unit!r}")
        raise InvalidInputError(problems=problems)
    ppy = PERIODS_PER_YEAR[unit]
    prop = params.resolved_propensity(scheme)
    unknown = sorted(set(prop) - set(scheme.codes))
    missing = [c for c in scheme.codes if c not in prop]
    if unknown:
        bad("propensity", f"unknown tier(s) {', '.join(unknown)} for scheme {scheme.name!r}")
    if missing:
        bad("propensity", f"missing tier(s) {', '.join(missing)}")
    for code, value in prop.items():
        if not 0.0 <= value < 1.0:
            bad(f"propensity[{code!r}]", f"must be in [0, 1); got {value}")
    for name in (
        "detection",
        "self_correction",
        "exit_rate",
        "repair_rate",
        "rerating_rate",
        "rating_accuracy",
    ):
        value = getattr(params, name)
        if not 0.0 <= value <= 1.0:
            bad(name, f"must be in [0, 1]; got {value}")
    if params.self_correction >= 1.0:
        bad("self_correction", f"must be below 1; got {params.self_correction}")
    for name in ("repair_after_years", "repair_after_worst_years", "repeat_window_years"):
        if getattr(params, name) <= 0:
            bad(name, f"must be positive; got {getattr(params, name)}")
    if problems:
        raise InvalidInputError(problems=problems)

    p = np.array([prop[c] for c in scheme.codes], dtype=np.float64)
    stop = _per_period(params.self_correction, ppy)
    onset = stop * p / (1.0 - p)
    if np.any(onset > 1.0):
        worst = scheme.codes[int(np.argmax(onset))]
        raise InvalidInputError(
            problems=[
                Problem(
                    "parameters",
                    None,
                    f"propensity[{worst!r}]",
                    "too high for the self-correction rate: the prevalence cannot be "
                    f"sustained (needs self_correction * p / (1 - p) <= 1); got p={prop[worst]}",
                )
            ]
        )
    return PeriodRates(
        periods_per_year=ppy,
        propensity=p,
        onset=onset,
        stop=stop,
        detection=params.detection,
        exit=_per_period(params.exit_rate, ppy),
        repair_after=_periods(params.repair_after_years, ppy),
        repair_after_worst=_periods(params.repair_after_worst_years, ppy),
        repair=_per_period(params.repair_rate, ppy),
        repeat_window=_periods(params.repeat_window_years, ppy),
        rerate=_per_period(params.rerating_rate, ppy),
        accuracy=params.rating_accuracy,
    )
