"""Sampling policies to compare, parsed from the command line, at one equal budget.

A policy is a way of turning the state of the population into inclusion
probabilities for the period:

* ``uniform``: every entity alike, the old 双随机 baseline;
* a preset name (``weifang-default``...) or ``A=..,B=..,C=..,D=..``: credit-tier
  rates, used as relative weights;
* ``risk``: continuous weights, each entity's estimated violation probability
  from its tier and its own inspection record (a Beta-binomial posterior mean,
  the prior mean being the tier's assumed propensity with the strength of
  ``RISK_PRIOR_STRENGTH`` inspections).

Policies are compared at an equal expected budget ``n`` per period: every
policy's probabilities are ``scheduler.draw.sampling.inclusion_probabilities(w, n)``,
so a preset's own rates come back unchanged when it sets the budget, and other
rate sets are scaled (with capping at 1) to spend the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from scheduler.data.reference import TierScheme, default_preset, presets
from scheduler.draw.policy import make_policy, parse_tier_values
from scheduler.draw.sampling import inclusion_probabilities
from scheduler.errors import InvalidInputError
from scheduler.simulation.dynamics import State
from scheduler.simulation.population import Population

__all__ = [
    "RISK_PRIOR_STRENGTH",
    "SimulatedPolicy",
    "parse_policy",
    "budget_per_period",
    "tier_inclusion_probabilities",
    "policy_pi",
]

RISK_PRIOR_STRENGTH = 2.0
"""Pseudo-inspections behind the tier prior of the ``risk`` policy."""

Kind = Literal["uniform", "tiers", "risk"]


@dataclass(frozen=True)
class SimulatedPolicy:
    """A policy as the simulation tries it out over the years, not as a draw applies it.

    ``kind`` is ``uniform`` (everyone at one rate), ``risk`` (rates from the
    inspections' observed violations) or ``tiers`` (``weights``: annual per-tier
    rates, best tier first, from a preset or ``A=..``). The budget is given
    separately (``budget_per_period``). A draw's policy is a different concept:
    ``scheduler.draw.policy.Policy`` turns a plan's rates or budget into exact
    inclusion probabilities on one frame, and has no ``uniform``/``risk`` kinds.
    """

    name: str
    kind: Kind
    weights: tuple[float, ...] = ()


def parse_policy(text: str, scheme: TierScheme) -> SimulatedPolicy:
    """``uniform``, ``risk``, a preset name, or ``A=..,B=..,...`` (annual rates).

    Every tier keeps a positive rate: no tier is exempt from the draw (不免抽).
    """
    text = text.strip()
    if text == "uniform":
        return SimulatedPolicy("uniform", "uniform")
    if text == "risk":
        return SimulatedPolicy("risk", "risk")
    known = presets()
    if text in known:
        rates = make_policy(scheme, preset_name=text).rates
    elif "=" in text:
        rates = make_policy(scheme, rates=parse_tier_values(text, "policy")).rates
    else:
        raise InvalidInputError(
            f"unknown policy {text!r}; use 'uniform', 'risk', a preset "
            f"({', '.join(sorted(known))}) or {'=..,'.join(scheme.codes)}=.."
        )
    return SimulatedPolicy(text, "tiers", tuple(rates[c] for c in scheme.codes))


def budget_per_period(
    policies: tuple[SimulatedPolicy, ...],
    population: Population,
    periods_per_year: int,
    *,
    annual_budget: float | None = None,
) -> tuple[int, str]:
    """Inspections per period shared by every policy, and what set it.

    Without an explicit ``annual_budget`` the first rate policy sets it: its
    expected number of inspections a year on the starting population. With no
    rate policy at all the default preset of ``presets.json`` does (if it fits
    the population's tier scheme).
    """
    scheme = population.scheme
    if annual_budget is not None:
        annual, source = float(annual_budget), "budget"
    else:
        reference = next((p for p in policies if p.kind == "tiers"), None)
        if reference is not None:
            rates, source = reference.weights, reference.name
        else:
            default = default_preset()
            if default.scheme != scheme.name:
                raise InvalidInputError(
                    f"no rate policy to set the budget, and the default preset {default.name!r} "
                    f"does not fit tier scheme {scheme.name!r}; give an annual budget"
                )
            rates, source = tuple(default.rates[c] for c in scheme.codes), default.name
        counts = np.bincount(population.tier, minlength=len(scheme.codes))
        annual = float(np.dot(counts, rates))
    n = int(round(annual / periods_per_year))
    if not 1 <= n <= population.size:
        raise InvalidInputError(
            f"the budget must give between 1 and {population.size} inspections per period; "
            f"got {annual:g} a year = {annual / periods_per_year:g} per period"
        )
    return n, source


def tier_inclusion_probabilities(weights: np.ndarray, counts: np.ndarray, n: float) -> np.ndarray:
    """Per-tier ``pi`` for ``counts[k]`` entities of weight ``weights[k]``, summing to ``n``.

    The same capped solution ``pi = min(1, c * w)`` as
    ``scheduler.draw.sampling.inclusion_probabilities`` over the entity-level weights
    (the tests check they agree), solved on the k tiers instead of N entities:
    it runs every period of every replication, where a million-entity sort would
    dominate the simulation's time.
    """
    w = np.asarray(weights, dtype=np.float64)
    m = np.asarray(counts, dtype=np.float64)
    pi = np.zeros_like(w)
    live = np.flatnonzero((w > 0) & (m > 0))
    order = live[np.argsort(-w[live], kind="stable")]
    capped = 0.0
    for j, g in enumerate(order):  # a loop over tiers, at most k steps
        rest = order[j:]
        c = (n - capped) / float(np.dot(m[rest], w[rest]))
        if c * w[g] <= 1.0:
            pi[rest] = c * w[rest]
            break
        pi[g] = 1.0
        capped += m[g]
    return pi


def policy_pi(policy: SimulatedPolicy, state: State, n: int, prior: np.ndarray) -> np.ndarray:
    """Inclusion probabilities of every entity for one period at budget ``n``.

    ``prior`` holds the assumed propensity per tier (best first), used by ``risk``.
    """
    size = state.tier.size
    if policy.kind == "uniform":
        return np.full(size, n / size)
    if policy.kind == "tiers":
        k = len(policy.weights)
        counts = np.array([np.count_nonzero(state.tier == j) for j in range(k)])
        pi_k = tier_inclusion_probabilities(np.asarray(policy.weights), counts, n)
        return pi_k.take(state.tier)
    weights = (RISK_PRIOR_STRENGTH * prior.take(state.tier) + state.findings) / (
        RISK_PRIOR_STRENGTH + state.inspections
    )
    return inclusion_probabilities(weights, n)
