"""Policy simulation: what a tier-rate policy does over the years, before a city adopts it.

A Monte Carlo model of a population under inspection (``model``, ``dynamics``),
policies compared at an equal budget (``policies``), replications on independent
streams (``runner``), metrics with intervals (``metrics``), and the files a run
writes (``output``, ``charts``). See ``docs/simulation.md``.
"""

from scheduler.simulation.model import ModelParameters, default_propensities
from scheduler.simulation.policies import SimulatedPolicy, parse_policy
from scheduler.simulation.population import (
    Population,
    population_from_directory,
    synthetic_population,
)
from scheduler.simulation.runner import SimulationResult, simulate
from scheduler.simulation.seeded import SimulationStreams, simulate_seeded, simulation_streams

__all__ = [
    "ModelParameters",
    "SimulatedPolicy",
    "Population",
    "SimulationResult",
    "default_propensities",
    "parse_policy",
    "population_from_directory",
    "simulate",
    "simulate_seeded",
    "simulation_streams",
    "SimulationStreams",
    "synthetic_population",
]
