"""One seed, one simulation: what a user's seed stands for, in one place.

A run needs two independent streams: one builds a synthetic population, one
drives the replications. They were derived in the CLI (``SeedSequence(seed)
.spawn(2)``) while the dashboard passed the raw seed to both, so "seed 2026"
gave different numbers in the two front ends. ``simulate_seeded`` is the only
place that turns the user's seed into streams; the CLI and the dashboard call
it, and the result records the user's seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from scheduler.data.reference import TierScheme
from scheduler.errors import InvalidInputError
from scheduler.simulation.model import ModelParameters
from scheduler.simulation.policies import SimulatedPolicy, parse_policy
from scheduler.simulation.population import Population, synthetic_population
from scheduler.simulation.runner import SimulationResult, simulate

__all__ = [
    "SimulationStreams",
    "seed_sequences",
    "simulation_streams",
    "seeded_population",
    "simulate_seeded",
]


@dataclass(frozen=True)
class SimulationStreams:
    """The independent generators one user seed stands for."""

    population: np.random.Generator
    """Builds a synthetic population (unused when the population is given)."""
    simulation: np.random.Generator
    """Spawns one stream per replication (``simulate``)."""


def seed_sequences(seed: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """``SeedSequence(seed).spawn(2)``: population first, then simulation.

    The one derivation of a user's seed, for ``simulate`` and ``sweep`` alike (a
    sweep spawns its tasks' streams from the second).
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InvalidInputError(f"`seed` must be a non-negative integer; got {seed!r}.")
    population_seed, simulation_seed = np.random.SeedSequence(int(seed)).spawn(2)
    return population_seed, simulation_seed


def simulation_streams(seed: int) -> SimulationStreams:
    """The generators of ``seed_sequences(seed)``."""
    population_seed, simulation_seed = seed_sequences(seed)
    return SimulationStreams(
        np.random.default_rng(population_seed), np.random.default_rng(simulation_seed)
    )


def seeded_population(
    seed: int, population: Population | int, scheme: TierScheme | str | None = None
) -> Population:
    """``population`` itself, or a synthetic one of that size from the seed's population stream."""
    if isinstance(population, Population):
        return population
    rng = simulation_streams(seed).population
    return synthetic_population(int(population), rng=rng, scheme=scheme)


def simulate_seeded(
    seed: int,
    population: Population | int,
    policies: Sequence[str | SimulatedPolicy],
    *,
    periods: int,
    replications: int,
    scheme: TierScheme | str | None = None,
    params: ModelParameters | None = None,
    unit: str = "year",
    annual_budget: float | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate ``policies`` from one user seed; same inputs and seed, same result anywhere.

    Parameters
    ----------
    seed
        The user's seed, recorded in the result.
    population
        A ``Population`` (e.g. ``population_from_directory``) or the size of a
        synthetic one, built with ``scheme`` from the seed's population stream.
    policies
        ``SimulatedPolicy`` objects or policy texts (parsed against the population's scheme).
    """
    streams = simulation_streams(seed)
    population = seeded_population(seed, population, scheme)
    chosen = [
        p if isinstance(p, SimulatedPolicy) else parse_policy(p, population.scheme)
        for p in policies
    ]
    result = simulate(
        population,
        chosen,
        periods=periods,
        replications=replications,
        rng=streams.simulation,
        params=params,
        unit=unit,
        annual_budget=annual_budget,
        workers=workers,
        progress=progress,
    )
    return replace(result, seed=int(seed))
