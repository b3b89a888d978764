"""Sampling policy -> inclusion probability of every frame unit.

Three ways to say how much to inspect (SPEC section 2): a named preset of
per-tier rates, explicit per-tier rates, or a budget of ``n`` inspections
shared by per-tier weights with capping (``inclusion_probabilities``). Forced
units have probability 1 and, in budget mode, count against the budget.

Strata are region x tier (forced units in their own stratum), so that every
district gets its share and ``pi`` is constant within a stratum: the draw then
runs the fast stratified-SRS design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scheduler.data.reference import TierScheme, default_weights, preset
from scheduler.draw.frame import SamplingFrame
from scheduler.draw.sampling import inclusion_probabilities
from scheduler.errors import InvalidInputError

__all__ = ["Policy", "parse_tier_values", "make_policy", "unit_probabilities", "stratum_labels"]


@dataclass(frozen=True)
class Policy:
    """``mode`` is ``"rates"`` (with ``rates``) or ``"budget"`` (``budget``, ``weights``)."""

    mode: str
    rates: dict[str, float] = field(default_factory=dict)
    budget: int | None = None
    weights: dict[str, float] = field(default_factory=dict)
    preset: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode}
        if self.preset:
            out["preset"] = self.preset
        if self.mode == "rates":
            out["rates"] = dict(sorted(self.rates.items()))
        else:
            out["budget"] = self.budget
            out["weights"] = dict(sorted(self.weights.items()))
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        return cls(
            mode=data["mode"],
            rates={k: float(v) for k, v in data.get("rates", {}).items()},
            budget=data.get("budget"),
            weights={k: float(v) for k, v in data.get("weights", {}).items()},
            preset=data.get("preset"),
        )


def parse_tier_values(text: str, option: str) -> dict[str, float]:
    """``"A=0.03,B=0.05"`` -> ``{"A": 0.03, "B": 0.05}``; ``option`` names the value in errors.

    The caller's word for it: a CLI option (``--rates``) or a domain field (``policy``).
    """
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, raw = part.partition("=")
        try:
            if not sep:
                raise ValueError
            values[key.strip()] = float(raw.strip().rstrip("%")) / (
                100 if raw.strip().endswith("%") else 1
            )
        except ValueError:
            raise InvalidInputError(
                f"`{option}` must look like A=0.03,B=0.05; got {part!r} in {text!r}."
            ) from None
    return values


def _check_tiers(values: dict[str, float], scheme: TierScheme, option: str) -> None:
    unknown = sorted(set(values) - set(scheme.codes))
    missing = [t for t in scheme.codes if t not in values]
    problems = [f"unknown tier {t!r}" for t in unknown] + [
        f"no value for tier {t!r}" for t in missing
    ]
    if problems:
        raise InvalidInputError(
            f"`{option}`: {'; '.join(problems)} "
            f"(scheme {scheme.name} has {', '.join(scheme.codes)}); "
            "every tier keeps a non-zero chance (不免抽)."
        )


def make_policy(
    scheme: TierScheme,
    *,
    preset_name: str | None = None,
    rates: dict[str, float] | None = None,
    budget: int | None = None,
    weights: dict[str, float] | None = None,
) -> Policy:
    """Validate one of the three modes into a ``Policy``."""
    chosen = [
        m
        for m, v in (("preset", preset_name), ("rates", rates), ("budget", budget))
        if v is not None
    ]
    if len(chosen) != 1:
        raise InvalidInputError(
            "a policy is exactly one of a preset, per-tier rates or a budget; "
            f"got {', '.join(chosen) or 'none'}."
        ).about("policy.preset", "policy.rates", "policy.budget")
    if weights is not None and budget is None:
        raise InvalidInputError("budget weights only apply to a budget.").about(
            "policy.weights", "policy.budget"
        )
    if preset_name is not None:
        found = preset(preset_name)
        if found.scheme != scheme.name:
            raise InvalidInputError(
                f"preset {preset_name!r} is for scheme {found.scheme!r}, not {scheme.name!r}."
            )
        rates = dict(found.rates)
    if rates is not None:
        _check_tiers(rates, scheme, "rates")
        for tier, rate in rates.items():
            if not 0 < rate <= 1:
                raise InvalidInputError(f"`rates['{tier}']` must be in (0, 1]; got {rate}.")
        return Policy(
            mode="rates", rates={t: float(rates[t]) for t in scheme.codes}, preset=preset_name
        )
    weights = dict(weights) if weights is not None else default_weights()
    _check_tiers(weights, scheme, "weights")
    for tier, weight in weights.items():
        if not (np.isfinite(weight) and weight > 0):
            raise InvalidInputError(f"`weights['{tier}']` must be a positive number; got {weight}.")
    if budget is None or int(budget) != budget or budget < 1:
        raise InvalidInputError(f"`budget` must be a whole number >= 1; got {budget}.")
    return Policy(
        mode="budget", budget=int(budget), weights={t: float(weights[t]) for t in scheme.codes}
    )


def _per_tier(tiers: np.ndarray, values: dict[str, float]) -> np.ndarray:
    """``values[tier]`` per unit (a few vectorised comparisons; no string conversion)."""
    out = np.full(tiers.size, np.nan)
    for tier, value in values.items():
        out[tiers == tier] = value
    if np.isnan(out).any():
        unknown = sorted(set(tiers[np.isnan(out)]))
        raise InvalidInputError(
            f"frame tiers {unknown} have no value in the policy {sorted(values)}."
        )
    return out


def unit_probabilities(frame: SamplingFrame, policy: Policy) -> np.ndarray:
    """Inclusion probability of every unit of ``frame`` (in its canonical order)."""
    units = frame.units
    if units.empty:
        raise InvalidInputError(
            f"the sampling frame is empty: no active entity of {frame.rules.department_code} "
            "in this scope "
            f"({len(frame.excluded)} excluded)."
        )
    tiers = units["tier"].to_numpy(dtype=object)
    forced = units["forced"].to_numpy(dtype=bool)
    if policy.mode == "rates":
        pi = _per_tier(tiers, policy.rates)
        pi[forced] = 1.0
        return pi
    budget = int(policy.budget or 0)
    if budget > len(units):
        raise InvalidInputError(
            f"`budget` ({budget}) is larger than the sampling frame ({len(units)} units)."
        )
    if budget < forced.sum():
        raise InvalidInputError(
            f"`budget` ({budget}) is smaller than the forced inclusions ({int(forced.sum())})."
        )
    weights = _per_tier(tiers, policy.weights)
    weights[forced] = 0.0
    pi = inclusion_probabilities(weights, budget - int(forced.sum()))
    pi[forced] = 1.0
    return pi


def stratum_labels(frame: SamplingFrame) -> pd.Series:
    """``region/tier`` per unit, ``region/tier/forced`` for forced units."""
    units = frame.units
    regions = units["region_code"].to_numpy(dtype=object)
    tiers = units["tier"].to_numpy(dtype=object)
    forced = units["forced"].to_numpy(dtype=bool)
    labels = regions + "/" + tiers
    if forced.any():
        labels[forced] = labels[forced] + "/forced"
    return pd.Series(labels, dtype=object)
