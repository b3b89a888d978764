"""Replications, streams and worker processes.

Every replication gets its own random stream, spawned from one seed
(``Generator.spawn``, i.e. ``SeedSequence.spawn``), and results are stored by
replication index, so the output is the same whether one process or many ran
them, in whatever order.  Within a replication every policy starts from the same
violation states (common random numbers: differences between policies are not
drowned by differences between starting populations), then each policy runs on
a stream of its own.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np

from scheduler.errors import InvalidInputError
from scheduler.simulation.dynamics import NEVER, initial_state, noisy_copy, raw_fields, step
from scheduler.simulation.metrics import Metric, derive, metric_catalogue
from scheduler.simulation.model import ModelParameters, PeriodRates, period_rates
from scheduler.simulation.policies import SimulatedPolicy, budget_per_period, policy_pi
from scheduler.simulation.population import Population

__all__ = ["SimulationResult", "simulate", "MAX_PERIODS"]

MAX_PERIODS = -NEVER // 2
"""Periods are stamped in int16 arrays; far more than any planning horizon."""


@dataclass(frozen=True)
class _Setup:
    """What a replication needs; sent once to each worker process."""

    region: np.ndarray
    tier: np.ndarray
    rates: PeriodRates
    policies: tuple[SimulatedPolicy, ...]
    budget: int
    periods: int
    mix: np.ndarray
    default_tier: int


def _replication_start(setup: _Setup, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """True risk classes and starting violations, shared by every policy of a replication."""
    latent = noisy_copy(setup.tier, setup.rates.accuracy, setup.mix, rng)
    start = rng.random(setup.tier.size) < setup.rates.propensity[latent]
    return latent, start


def _run_policy(
    setup: _Setup, p: int, latent: np.ndarray, start: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Counts ``(periods, fields)`` of policy ``p`` over one replication."""
    policy = setup.policies[p]
    k = setup.rates.propensity.size
    out = np.empty((setup.periods, len(raw_fields(("",) * k))))
    strata_base = setup.region.astype(np.intp) * k
    state = initial_state(setup.tier, latent, start)

    def pi_of(s: Any) -> np.ndarray:
        return policy_pi(policy, s, setup.budget, setup.rates.propensity)

    for t in range(setup.periods):
        out[t] = step(
            state,
            t,
            pi_of=pi_of,
            strata_base=strata_base,
            rates=setup.rates,
            mix=setup.mix,
            default_tier=setup.default_tier,
            rng=rng,
        )
    return out


def _run_replication(setup: _Setup, rng: np.random.Generator) -> np.ndarray:
    """Counts ``(policies, periods, fields)`` of one replication.

    Stream 0 of the replication sets the starting states, stream ``1 + p`` runs
    policy ``p`` (``scheduler.simulation.sweep`` relies on this layout).
    """
    streams = rng.spawn(1 + len(setup.policies))
    latent, start = _replication_start(setup, streams[0])
    return np.stack(
        [_run_policy(setup, p, latent, start, streams[1 + p]) for p in range(len(setup.policies))]
    )


_WORKER_SETUP: _Setup | None = None


def _init_worker(setup: _Setup) -> None:
    global _WORKER_SETUP
    _WORKER_SETUP = setup


def _worker(index: int, rng: np.random.Generator) -> tuple[int, np.ndarray]:
    assert _WORKER_SETUP is not None
    return index, _run_replication(_WORKER_SETUP, rng)


@dataclass(frozen=True)
class SimulationResult:
    """Counts per replication, policy, period and field, with what produced them.

    ``raw`` has shape ``(replications, policies, periods, len(raw_fields))``;
    ``values`` the derived metrics ``(replications, policies, periods, metrics)``.
    """

    policies: tuple[SimulatedPolicy, ...]
    raw: np.ndarray
    raw_fields: tuple[str, ...]
    values: np.ndarray
    metrics: tuple[Metric, ...]
    tier_codes: tuple[str, ...]
    unit: str
    periods_per_year: int
    seed: int | None
    budget_per_period: int
    budget_source: str
    initial_rates: dict[str, dict[str, float]]
    """Per policy, each tier's annual inclusion probability in the first period."""
    parameters: dict[str, Any]
    population: dict[str, Any]

    @property
    def replications(self) -> int:
        return int(self.raw.shape[0])

    @property
    def periods(self) -> int:
        return int(self.raw.shape[2])

    def metric_index(self, name: str) -> int:
        return [m.name for m in self.metrics].index(name)


def _initial_rates(setup: _Setup, population: Population, ppy: int) -> dict[str, dict[str, float]]:
    none = np.zeros(setup.tier.size, dtype=bool)
    state = initial_state(setup.tier, setup.tier, none)
    first = {
        c: int(np.argmax(setup.tier == i))
        for i, c in enumerate(population.scheme.codes)
        if np.any(setup.tier == i)
    }
    rates = {}
    for policy in setup.policies:
        pi = policy_pi(policy, state, setup.budget, setup.rates.propensity)
        rates[policy.name] = {c: float(pi[i] * ppy) for c, i in first.items()}
    return rates


def simulate(
    population: Population,
    policies: tuple[SimulatedPolicy, ...] | list[SimulatedPolicy],
    *,
    periods: int,
    replications: int,
    rng: int | np.random.Generator | None,
    params: ModelParameters | None = None,
    unit: str = "year",
    annual_budget: float | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Run every policy over ``periods`` for ``replications`` independent futures.

    Parameters
    ----------
    population
        Starting entities (region and tier per entity).
    policies
        Policies to compare, at one equal budget (see ``budget_per_period``).
    rng
        Seed (recorded in the result) or Generator; replication ``r`` always
        uses the ``r``-th spawned stream, whatever ``workers`` is.
    workers
        Processes running replications in parallel on local cores.
    progress
        Called with ``(done, total)`` after each replication.
    """
    policies = tuple(policies)
    names = [p.name for p in policies]
    problems = []
    if not policies:
        problems.append("give at least one policy")
    if len(set(names)) != len(names):
        problems.append(f"policies must differ; got {', '.join(names)}")
    if not 1 <= periods <= MAX_PERIODS:
        problems.append(f"`periods` must be in [1, {MAX_PERIODS}]; got {periods}")
    if replications < 1:
        problems.append(f"`replications` must be at least 1; got {replications}")
    if workers < 1:
        problems.append(f"`workers` must be at least 1; got {workers}")
    if problems:
        raise InvalidInputError("; ".join(problems))
    params = params or ModelParameters()
    scheme = population.scheme
    rates = period_rates(params, scheme, unit)
    ppy = rates.periods_per_year
    budget, source = budget_per_period(policies, population, ppy, annual_budget=annual_budget)
    counts = np.bincount(population.tier, minlength=len(scheme.codes)).astype(np.float64)
    setup = _Setup(
        region=population.region,
        tier=population.tier,
        rates=rates,
        policies=policies,
        budget=budget,
        periods=periods,
        mix=counts / counts.sum(),
        default_tier=scheme.index(scheme.default_tier),
    )
    seed = int(rng) if isinstance(rng, int | np.integer) else None
    streams = np.random.default_rng(rng).spawn(replications)
    fields = raw_fields(scheme.codes)
    raw = np.empty((replications, len(policies), periods, len(fields)))
    if workers == 1 or replications == 1:
        for r, stream in enumerate(streams):
            raw[r] = _run_replication(setup, stream)
            if progress:
                progress(r + 1, replications)
    else:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        with ProcessPoolExecutor(
            max_workers=min(workers, replications),
            mp_context=multiprocessing.get_context(method),
            initializer=_init_worker,
            initargs=(setup,),
        ) as pool:
            futures = [pool.submit(_worker, r, stream) for r, stream in enumerate(streams)]
            for done, future in enumerate(as_completed(futures), start=1):
                index, counts_r = future.result()
                raw[index] = counts_r
                if progress:
                    progress(done, replications)
    return SimulationResult(
        policies=policies,
        raw=raw,
        raw_fields=fields,
        values=derive(raw, fields, scheme.codes, ppy),
        metrics=metric_catalogue(scheme.codes),
        tier_codes=scheme.codes,
        unit=unit,
        periods_per_year=ppy,
        seed=seed,
        budget_per_period=budget,
        budget_source=source,
        initial_rates=_initial_rates(setup, population, ppy),
        parameters=params.as_dict(scheme),
        population=population.describe(),
    )
