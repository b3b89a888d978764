"""Policy sweeps: many rate vectors at one budget, split into independent tasks.

A sweep is ``simulate`` over a grid of tier-rate vectors (plus named policies),
cut into tasks of one policy and a block of replications so that they can run
anywhere (``scheduler.simulation.cluster``).  Three choices make the result
byte-identical whatever ran the tasks, in whatever order:

* **Streams by position, not by order.** Replication ``r`` of policy ``p`` uses
  the ``SeedSequence`` with spawn key ``root + (r, 1 + p)`` and its starting
  states key ``root + (r, 0)``: exactly the streams ``runner.simulate`` spawns
  (``Generator.spawn`` twice), so a sweep and ``simulate`` of the same policies
  agree to the last count, and every policy of a replication starts from the
  same violation states (common random numbers).
* **Canonical population.** A task receives the (region, tier) cell counts, not
  per-entity rows, and rebuilds the entities sorted by cell.  What crosses the
  network is a regions x tiers table of counts: never an identifier, never a
  directory row, and a few hundred bytes instead of megabytes.
* **Counts stored by index.** Each task returns integer counts for its
  ``(policy, replications)`` slot; metrics are derived once, at the end.

Budget scaling: every policy spends the same expected number of inspections
(``--budget``, default the preset's), each rate vector scaled with capping at 1
by ``policies.tier_inclusion_probabilities`` (the tier-level form of
``scheduler.draw.sampling.inclusion_probabilities``); the scaled annual rates are
reported with the results.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from scheduler.data.reference import TierScheme
from scheduler.errors import InvalidInputError, Problem
from scheduler.simulation.dynamics import raw_fields
from scheduler.simulation.metrics import derive, metric_catalogue
from scheduler.simulation.model import ModelParameters, PeriodRates, period_rates
from scheduler.simulation.policies import SimulatedPolicy, budget_per_period, parse_policy
from scheduler.simulation.population import Population
from scheduler.simulation.runner import (
    MAX_PERIODS,
    SimulationResult,
    _initial_rates,
    _replication_start,
    _run_policy,
    _Setup,
)

__all__ = [
    "MAX_POLICIES",
    "SweepPayload",
    "SweepResult",
    "SweepTask",
    "canonical_population",
    "grid_policies",
    "parse_grid",
    "plan_tasks",
    "run_sweep",
    "run_task",
    "sweep_payload",
    "sweep_policies",
]

MAX_POLICIES = 5_000
"""More rate vectors than this is a typo in a step, not a plan."""


def _decimal(text: str, where: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInputError(f"{where} {what} {text.strip()!r} is not a number").about(
            "grid"
        ) from None
    if not value.is_finite():
        raise InvalidInputError(f"{where} {what} must be finite; got {text.strip()!r}").about(
            "grid"
        )
    return value


def _axis(tier: str, spec: str) -> tuple[float, ...]:
    """``start:stop:step`` (stop included) or one value, exact in decimal arithmetic.

    Decimal, not float: ``0.3 + 2 * 0.2`` is ``0.7000000000000001`` in binary
    floating point, which would drop the stop or print an ugly rate.
    """
    where = f"grid {tier}"
    parts = spec.split(":")
    if len(parts) == 1:
        values = [_decimal(parts[0], where, "value")]
    elif len(parts) == 3:
        start, stop, step = (
            _decimal(x, where, w) for x, w in zip(parts, ("start", "stop", "step"), strict=True)
        )
        if step <= 0:
            raise InvalidInputError(f"{where} step must be positive; got {step}").about("grid")
        if stop < start:
            raise InvalidInputError(f"{where} stop {stop} is below start {start}").about("grid")
        count = int((stop - start) / step) + 1
        if count > MAX_POLICIES:
            raise InvalidInputError(f"{where} gives {count} values; at most {MAX_POLICIES}").about(
                "grid"
            )
        values = [start + i * step for i in range(count)]
    else:
        raise InvalidInputError(
            f"{where} must be start:stop:step or one value; got {spec.strip()!r}"
        ).about("grid")
    for v in values:
        if not 0 < v <= 1:
            raise InvalidInputError(f"{where} rates must be in (0, 1]; got {v}").about("grid")
    return tuple(float(v) for v in values)


def parse_grid(text: str, scheme: TierScheme) -> dict[str, tuple[float, ...]]:
    """``A=0.01:0.05:0.02,D=0.3:0.7:0.2`` -> ``{"A": (0.01, 0.03, 0.05), "D": (0.3, 0.5, 0.7)}``.

    Tiers come back in the scheme's order (best first), whatever order was typed.
    """
    axes: dict[str, tuple[float, ...]] = {}
    items = [item for item in text.split(",") if item.strip()]
    if not items:
        raise InvalidInputError("the grid is empty; give TIER=start:stop:step,...").about("grid")
    for item in items:
        tier, sep, spec = item.partition("=")
        tier = tier.strip()
        if not sep:
            raise InvalidInputError(
                f"grid item {item.strip()!r} must be TIER=start:stop:step"
            ).about("grid")
        if tier not in scheme.codes:
            raise InvalidInputError(
                f"the grid names unknown tier {tier!r}; scheme {scheme.name!r} has "
                f"{', '.join(scheme.codes)}"
            ).about("grid")
        if tier in axes:
            raise InvalidInputError(f"the grid names tier {tier!r} twice").about("grid")
        axes[tier] = _axis(tier, spec)
    size = math.prod(len(v) for v in axes.values())
    if size > MAX_POLICIES:
        raise InvalidInputError(
            f"the grid gives {size} rate vectors; at most {MAX_POLICIES}"
        ).about("grid")
    return {code: axes[code] for code in scheme.codes if code in axes}


def grid_policies(
    grid: dict[str, tuple[float, ...]], base: dict[str, float], scheme: TierScheme
) -> list[SimulatedPolicy]:
    """One ``tiers`` policy per grid point; tiers not in the grid keep ``base``'s rate.

    Each is named ``A=..,B=..,..`` and built by ``parse_policy``, so the name
    alone reproduces it in ``scheduler simulate --policy``.
    """
    points = itertools.product(*grid.values()) if grid else iter([()])
    policies = []
    for point in points:
        rates = dict(base) | dict(zip(grid, point, strict=True))
        name = ",".join(f"{c}={rates[c]!r}" for c in scheme.codes)
        policies.append(parse_policy(name, scheme))
    return policies


def sweep_policies(
    grid: str | None, named: list[str], preset: str | None, scheme: TierScheme
) -> tuple[dict[str, tuple[float, ...]], SimulatedPolicy, list[SimulatedPolicy]]:
    """Parse what a user asked to sweep: ``(grid axes, base preset, policies)``.

    Grid points first, then the ``named`` policies; ``preset`` (default: the
    default preset) gives the rates of tiers not in the grid and the budget.
    """
    from scheduler.data.reference import default_preset, presets

    base_name = preset or default_preset().name
    if base_name not in presets():
        raise InvalidInputError(
            f"unknown preset {base_name!r}; known: {', '.join(sorted(presets()))}"
        ).about("preset")
    base = parse_policy(base_name, scheme)
    axes = parse_grid(grid, scheme) if grid is not None and grid.strip() else {}
    base_rates = dict(zip(scheme.codes, base.weights, strict=True))
    chosen = grid_policies(axes, base_rates, scheme) if axes else []
    chosen += [parse_policy(p, scheme) for p in named if p.strip()]
    return axes, base, chosen


def canonical_population(cells: np.ndarray, population: Population) -> Population:
    """Entities rebuilt from ``cells[region, tier]`` counts, sorted by cell.

    The model treats entities of one cell alike, so this is the same population
    up to the order of entities; it is what every worker rebuilds.
    """
    regions, k = cells.shape
    cell = np.repeat(np.arange(regions * k), cells.reshape(-1))
    return Population(
        region=(cell // k).astype(population.region.dtype),
        tier=(cell % k).astype(population.tier.dtype),
        region_codes=population.region_codes,
        scheme=population.scheme,
        source=population.source,
    )


def _cells(population: Population) -> np.ndarray:
    k = len(population.scheme.codes)
    regions = len(population.region_codes)
    flat = population.region.astype(np.intp) * k + population.tier
    return np.bincount(flat, minlength=regions * k).reshape(regions, k)


@dataclass(frozen=True)
class SweepPayload:
    """Everything a task needs; scattered once to each worker.

    Holds cell counts, the model's per-period rates, the policies and the root
    seed's entropy and spawn key: no per-entity data.
    """

    cells: np.ndarray
    """int64 ``(regions, tiers)`` counts of the starting population."""
    rates: PeriodRates
    policies: tuple[SimulatedPolicy, ...]
    budget: int
    periods: int
    default_tier: int
    entropy: int
    spawn_key: tuple[int, ...]
    pool_size: int

    def setup(self) -> _Setup:
        """The runner's setup, rebuilt from the counts (about a millisecond per 1M)."""
        regions, k = self.cells.shape
        cell = np.repeat(np.arange(regions * k), self.cells.reshape(-1))
        dtype = np.int8 if max(regions, k) <= 127 else np.int32
        counts = self.cells.sum(axis=0).astype(np.float64)
        return _Setup(
            region=(cell // k).astype(dtype),
            tier=(cell % k).astype(dtype),
            rates=self.rates,
            policies=self.policies,
            budget=self.budget,
            periods=self.periods,
            mix=counts / counts.sum(),
            default_tier=self.default_tier,
        )

    def stream(self, replication: int, child: int) -> np.random.Generator:
        """Child ``child`` of replication ``replication`` (0: start, 1 + p: policy p)."""
        seq = np.random.SeedSequence(
            self.entropy,
            spawn_key=self.spawn_key + (replication, child),
            pool_size=self.pool_size,
        )
        return np.random.default_rng(seq)


@dataclass(frozen=True, order=True)
class SweepTask:
    """Policy ``policy`` over replications ``start`` (included) to ``stop`` (excluded)."""

    policy: int
    start: int
    stop: int


def plan_tasks(policies: int, replications: int, block: int) -> list[SweepTask]:
    """Every (policy, block of ``block`` replications); the last block may be shorter."""
    if block < 1:
        raise InvalidInputError(f"a block of replications must be at least 1; got {block}").about(
            "block"
        )
    return [
        SweepTask(p, r, min(r + block, replications))
        for p in range(policies)
        for r in range(0, replications, block)
    ]


def run_task(payload: SweepPayload, task: SweepTask) -> tuple[SweepTask, np.ndarray]:
    """Counts ``(replications in block, periods, fields)`` of one task (runs on a worker)."""
    setup = payload.setup()
    out = []
    for r in range(task.start, task.stop):
        latent, start = _replication_start(setup, payload.stream(r, 0))
        out.append(
            _run_policy(setup, task.policy, latent, start, payload.stream(r, 1 + task.policy))
        )
    return task, np.stack(out)


def sweep_payload(
    population: Population,
    policies: tuple[SimulatedPolicy, ...],
    *,
    periods: int,
    seed: np.random.SeedSequence,
    params: ModelParameters,
    unit: str,
    annual_budget: float | None,
    preset: SimulatedPolicy,
) -> SweepPayload:
    """Validate the inputs and pack them for the workers."""
    problems = []
    names = [p.name for p in policies]
    if not policies:
        problems.append("give at least one policy (a grid or named policies)")
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        problems.append(f"policies must differ; given twice: {', '.join(dupes)}")
    if len(policies) > MAX_POLICIES:
        problems.append(f"at most {MAX_POLICIES} policies; got {len(policies)}")
    if not 1 <= periods <= MAX_PERIODS:
        problems.append(f"`periods` must be in [1, {MAX_PERIODS}]; got {periods}")
    if problems:
        raise InvalidInputError(problems=[Problem("sweep", None, "policies", p) for p in problems])
    scheme = population.scheme
    rates = period_rates(params, scheme, unit)
    budget, _ = budget_per_period(
        (preset,), population, rates.periods_per_year, annual_budget=annual_budget
    )
    return SweepPayload(
        cells=_cells(population).astype(np.int64),
        rates=rates,
        policies=policies,
        budget=budget,
        periods=periods,
        default_tier=scheme.index(scheme.default_tier),
        entropy=int(seed.entropy),  # type: ignore[arg-type]
        spawn_key=tuple(int(k) for k in seed.spawn_key),
        pool_size=int(seed.pool_size),
    )


@dataclass(frozen=True)
class SweepResult:
    """A sweep's simulation result plus what defined the grid."""

    result: SimulationResult
    grid: dict[str, tuple[float, ...]]
    preset: str
    block: int


def run_sweep(
    population: Population,
    policies: list[SimulatedPolicy] | tuple[SimulatedPolicy, ...],
    *,
    periods: int,
    replications: int,
    seed: int,
    simulation_seed: np.random.SeedSequence,
    preset: SimulatedPolicy,
    grid: dict[str, tuple[float, ...]] | None = None,
    params: ModelParameters | None = None,
    unit: str = "year",
    annual_budget: float | None = None,
    block: int = 10,
    execute: Callable[..., Any] | None = None,
) -> SweepResult:
    """Run every policy for ``replications`` futures and collect the counts.

    Parameters
    ----------
    simulation_seed
        The simulation's ``SeedSequence`` (the CLI derives it from ``seed`` as
        ``simulate`` does); ``seed`` is only recorded.
    preset
        Sets the budget when ``annual_budget`` is None.
    execute
        ``execute(payload, tasks) -> iterable of (task, counts)``, e.g.
        ``cluster.Runner(...).run``; default: every task here, in order.
    """
    if replications < 1:
        raise InvalidInputError(f"`replications` must be at least 1; got {replications}")
    policies = tuple(policies)
    params = params or ModelParameters()
    population = canonical_population(_cells(population), population)
    payload = sweep_payload(
        population,
        policies,
        periods=periods,
        seed=simulation_seed,
        params=params,
        unit=unit,
        annual_budget=annual_budget,
        preset=preset,
    )
    tasks = plan_tasks(len(policies), replications, block)
    scheme = population.scheme
    fields = raw_fields(scheme.codes)
    raw = np.empty((replications, len(policies), periods, len(fields)))
    filled = np.zeros((replications, len(policies)), dtype=bool)
    results = execute(payload, tasks) if execute else (run_task(payload, t) for t in tasks)
    for task, counts in results:
        raw[task.start : task.stop, task.policy] = counts
        filled[task.start : task.stop, task.policy] = True
    if not filled.all():
        raise RuntimeError("a sweep task did not report its counts")  # never expected
    setup = payload.setup()
    ppy = payload.rates.periods_per_year
    source = "budget" if annual_budget is not None else preset.name
    result = SimulationResult(
        policies=policies,
        raw=raw,
        raw_fields=fields,
        values=derive(raw, fields, scheme.codes, ppy),
        metrics=metric_catalogue(scheme.codes),
        tier_codes=scheme.codes,
        unit=unit,
        periods_per_year=ppy,
        seed=seed,
        budget_per_period=payload.budget,
        budget_source=source,
        initial_rates=_initial_rates(setup, population, ppy),
        parameters=params.as_dict(scheme),
        population=population.describe(),
    )
    return SweepResult(result=result, grid=dict(grid or {}), preset=preset.name, block=block)
