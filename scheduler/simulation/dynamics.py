"""State of one simulated population under one policy, and one period's step.

Everything is a whole-array numpy operation; the only per-period work that is
not O(N) element-wise is the project's exact draw (``scheduler.draw.sampling``).
Per-entity state is kept in ``int8``/``int16``/``bool`` arrays so that a
million entities cost about 13 MB per replication and policy.

Order within a period ``t``: inspect (draw, detect, correct), apply findings to
tiers, credit repair, fresh ratings, count the period's figures, then the
violation chain moves on and entities leave and enter.  The first period therefore inspects exactly
the starting population, which is what the known-answer test relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from scheduler.draw.sampling import draw_sample
from scheduler.simulation.model import PeriodRates

__all__ = [
    "NEVER",
    "RAW_FIELDS",
    "State",
    "initial_state",
    "noisy_copy",
    "step",
    "raw_fields",
]

NEVER = -10_000
"""Period stamp for 'never happened'; far enough below 0 that no window reaches it."""

RAW_FIELDS: tuple[str, ...] = (
    "entities",
    "inspections",
    "found",
    "compliant_inspected",
    "best_tier_entities",
    "best_tier_inspected",
    "undetected_violating",
    "first_found",
    "violating",
    "covered_3y",
    "covered_5y",
)
"""Counts recorded per period; the tier counts ``tier_<code>`` follow them."""


def raw_fields(tier_codes: tuple[str, ...]) -> tuple[str, ...]:
    return RAW_FIELDS + tuple(f"tier_{code}" for code in tier_codes)


@dataclass
class State:
    """Mutable per-entity arrays of one replication under one policy (internal)."""

    tier: np.ndarray
    """int8, 0 = best; the credit tier the authority sees and samples on."""
    rated: np.ndarray
    """int8, the tier of the last rating; findings lower ``tier`` below it, repair restores it."""
    latent: np.ndarray
    """int8, the entity's true risk class (its propensity), never observed."""
    violating: np.ndarray
    last_inspected: np.ndarray
    last_finding: np.ndarray
    detected_once: np.ndarray
    inspections: np.ndarray
    findings: np.ndarray


PiFunction = Callable[[State], np.ndarray]
"""Inclusion probabilities of every entity for the period, from the current state."""


def initial_state(tier: np.ndarray, latent: np.ndarray, violating: np.ndarray) -> State:
    """Start of the horizon from the rated tiers and the (drawn) true classes."""
    n = tier.size
    return State(
        tier=tier.astype(np.int8, copy=True),
        rated=tier.astype(np.int8, copy=True),
        latent=latent.astype(np.int8, copy=True),
        violating=violating.astype(bool, copy=True),
        last_inspected=np.full(n, NEVER, dtype=np.int16),
        last_finding=np.full(n, NEVER, dtype=np.int16),
        detected_once=np.zeros(n, dtype=bool),
        inspections=np.zeros(n, dtype=np.uint16),
        findings=np.zeros(n, dtype=np.uint16),
    )


def noisy_copy(
    classes: np.ndarray, accuracy: float, mix: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Each class kept with probability ``accuracy``, else replaced by a draw from ``mix``.

    Used both ways: the true classes behind the starting tiers, and the tiers a
    fresh rating gives to true classes.
    """
    noise = rng.random(classes.size) >= accuracy
    out = classes.astype(np.int8, copy=True)
    out[noise] = rng.choice(mix.size, size=int(noise.sum()), p=mix)
    return out


def _subset(n: int, probability: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` entities, each kept independently with ``probability``.

    Geometric gaps between kept indices: the same distribution as ``n`` coin
    flips at O(kept) cost instead of a uniform per entity.
    """
    if probability <= 0.0 or n == 0:
        return np.zeros(0, dtype=np.intp)
    if probability >= 1.0:
        return np.arange(n)
    expected = n * probability
    chunk = int(expected + 6.0 * np.sqrt(expected) + 16)
    positions = np.cumsum(rng.geometric(probability, size=chunk)) - 1
    while positions[-1] < n:  # rarely: the first chunk fell short of the end
        more = np.cumsum(rng.geometric(probability, size=chunk)) + positions[-1]
        positions = np.concatenate([positions, more])
    return positions[: np.searchsorted(positions, n)]


def _inspect(
    state: State, selected: np.ndarray, t: int, rates: PeriodRates, rng: np.random.Generator
) -> tuple[int, int, int]:
    """Detect and correct violations among ``selected``; apply findings to tiers."""
    worst = rates.propensity.size - 1
    violating = state.violating[selected]
    found = violating & (rng.random(selected.size) < rates.detection)
    first = found & ~state.detected_once[selected]
    state.last_inspected[selected] = t
    state.inspections[selected] += np.uint16(1)
    hit = selected[found]
    state.violating[hit] = False  # 责令改正: a finding ends the violation
    state.detected_once[hit] = True
    state.findings[hit] += np.uint16(1)
    repeat = state.last_finding[hit] >= t - rates.repeat_window
    state.tier[hit] = np.where(repeat, worst, np.minimum(state.tier[hit] + 1, worst))
    state.last_finding[hit] = t
    return (
        int(np.count_nonzero(violating)),
        int(np.count_nonzero(found)),
        int(np.count_nonzero(first)),
    )


def _repair(state: State, t: int, rates: PeriodRates, rng: np.random.Generator) -> None:
    """Credit repair: back to the last rating's tier after the minimum publicity period."""
    worst = rates.propensity.size - 1
    lowered = np.flatnonzero(state.tier > state.rated)  # few: only entities with findings
    wait = np.where(state.tier.take(lowered) == worst, rates.repair_after_worst, rates.repair_after)
    eligible = lowered[state.last_finding.take(lowered) <= t - wait]
    done = eligible[rng.random(eligible.size) < rates.repair]
    state.tier[done] = state.rated[done]


def _rerate(state: State, rates: PeriodRates, mix: np.ndarray, rng: np.random.Generator) -> None:
    """Fresh ratings from other information for a random subset of entities."""
    slots = _subset(state.tier.size, rates.rerate, rng)
    new = noisy_copy(state.latent[slots], rates.accuracy, mix, rng)
    state.tier[slots] = new
    state.rated[slots] = new


def _evolve(
    state: State,
    rates: PeriodRates,
    mix: np.ndarray,
    default_tier: int,
    rng: np.random.Generator,
) -> None:
    """Violations start and stop; entities leave and are replaced in the same slot."""
    # Sparse two-state chain: stops among current violators; starts by thinning
    # candidates drawn at the highest onset rate down to each class's own rate.
    violators = np.flatnonzero(state.violating)
    stops = violators[rng.random(violators.size) < rates.stop]
    top = float(rates.onset.max())
    candidates = _subset(state.violating.size, top, rng)
    keep = rng.random(candidates.size) * top < rates.onset.take(state.latent.take(candidates))
    starts = candidates[keep & ~state.violating.take(candidates)]
    state.violating[stops] = False
    state.violating[starts] = True
    slots = _subset(state.tier.size, rates.exit, rng)
    if slots.size == 0:
        return
    latent = rng.choice(mix.size, size=slots.size, p=mix).astype(np.int8)
    state.latent[slots] = latent
    state.tier[slots] = default_tier
    state.rated[slots] = default_tier
    state.violating[slots] = rng.random(slots.size) < rates.propensity[latent]
    state.last_inspected[slots] = NEVER
    state.last_finding[slots] = NEVER
    state.detected_once[slots] = False
    state.inspections[slots] = 0
    state.findings[slots] = 0


def step(
    state: State,
    t: int,
    *,
    pi_of: PiFunction,
    strata_base: np.ndarray,
    rates: PeriodRates,
    mix: np.ndarray,
    default_tier: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Advance ``state`` by period ``t``; returns that period's ``raw_fields`` counts.

    ``strata_base`` is ``region * number_of_tiers`` (intp): the draw is
    stratified by region x current tier, as the SPEC asks of every draw.
    """
    k = rates.propensity.size
    pi = pi_of(state)
    selected = draw_sample(pi, rng=rng, strata=strata_base + state.tier)
    undetected = int(np.count_nonzero(state.violating & ~state.detected_once))
    violating_now = int(np.count_nonzero(state.violating))
    best_inspected = int(np.count_nonzero(state.tier[selected] == 0))
    best_before = int(np.count_nonzero(state.tier == 0))
    was_violating, found, first = _inspect(state, selected, t, rates, rng)
    _repair(state, t, rates, rng)
    _rerate(state, rates, mix, rng)

    ppy = rates.periods_per_year
    covered = []
    for years in (3, 5):
        window = years * ppy
        covered.append(
            np.nan if t + 1 < window else np.count_nonzero(state.last_inspected > t - window)
        )
    row = np.array(
        [
            state.tier.size,
            selected.size,
            found,
            selected.size - was_violating,
            best_before,
            best_inspected,
            undetected,
            first,
            violating_now,
            *covered,
            *(np.count_nonzero(state.tier == j) for j in range(k)),
        ],
        dtype=np.float64,
    )
    _evolve(state, rates, mix, default_tier, rng)
    return row
