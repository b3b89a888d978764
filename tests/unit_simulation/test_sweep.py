"""Tests of ``scheduler.simulation.sweep``: grid parsing, budget scaling, tasks and seeds."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.data.reference import default_preset, tier_scheme
from scheduler.draw.sampling import inclusion_probabilities
from scheduler.errors import InvalidInputError
from scheduler.simulation import parse_policy, simulate, synthetic_population
from scheduler.simulation.model import ModelParameters
from scheduler.simulation.policies import tier_inclusion_probabilities
from scheduler.simulation.sweep import _cells as cells_of
from scheduler.simulation.sweep import (
    canonical_population,
    grid_policies,
    parse_grid,
    plan_tasks,
    run_sweep,
    run_task,
    sweep_payload,
)

SCHEME = tier_scheme("weifang-4")
PRESET = default_preset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A=0.01:0.05:0.02", {"A": (0.01, 0.03, 0.05)}),
        # 0.3 + 2 * 0.2 is 0.7000000000000001 in floats: the stop must still be included
        ("D=0.3:0.7:0.2", {"D": (0.3, 0.5, 0.7)}),
        ("D=0.1:0.3:0.1", {"D": (0.1, 0.2, 0.3)}),
        ("A=0.01:0.02:0.003", {"A": (0.01, 0.013, 0.016, 0.019)}),  # stop not on the step
        ("D=0.5", {"D": (0.5,)}),
        ("A=0.02:0.02:0.01", {"A": (0.02,)}),
        # typed order does not matter: tiers come back best first
        ("D=0.4:0.5:0.1, A=0.01", {"A": (0.01,), "D": (0.4, 0.5)}),
    ],
)
def test_grid_axes(text, expected):
    assert parse_grid(text, SCHEME) == expected
    assert list(parse_grid(text, SCHEME)) == list(expected)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", r"the grid is empty"),
        ("A0.01", r"item 'A0.01' must be TIER=start:stop:step"),
        ("Z=0.1", r"unknown tier 'Z'.*A, B, C, D"),
        ("A=0.1,A=0.2", r"tier 'A' twice"),
        ("A=x:0.2:0.1", r"grid A start 'x' is not a number"),
        ("A=0.1:0.2:0", r"grid A step must be positive; got 0"),
        ("A=0.1:0.2:-0.1", r"step must be positive"),
        ("A=0.3:0.2:0.1", r"stop 0.2 is below start 0.3"),
        ("A=0.1:0.2", r"must be start:stop:step or one value; got '0.1:0.2'"),
        ("A=0:0.2:0.1", r"rates must be in \(0, 1\]; got 0"),
        ("D=0.8:1.2:0.2", r"rates must be in \(0, 1\]; got 1.2"),
        ("A=nan", r"must be finite"),
        ("A=0.0001:1:0.0001", r"gives 10000 values; at most 5000"),
        ("A=0.01:0.8:0.01,D=0.01:0.8:0.01", r"gives 6400 rate vectors; at most 5000"),
    ],
)
def test_grid_errors_name_the_problem(text, match):
    with pytest.raises(InvalidInputError, match=match):
        parse_grid(text, SCHEME)


def test_grid_policies_keep_the_preset_rates_for_tiers_not_named():
    grid = parse_grid("A=0.01:0.05:0.02,D=0.3:0.7:0.2", SCHEME)
    policies = grid_policies(grid, dict(PRESET.rates), SCHEME)
    assert len(policies) == 9
    assert {p.weights[1:3] for p in policies} == {(PRESET.rates["B"], PRESET.rates["C"])}
    assert {(p.weights[0], p.weights[3]) for p in policies} == {
        (a, d) for a in (0.01, 0.03, 0.05) for d in (0.3, 0.5, 0.7)
    }
    # the name alone rebuilds the policy (it is what `simulate --policy` accepts)
    assert all(parse_policy(p.name, SCHEME) == p for p in policies)
    assert policies[0].name == "A=0.01,B=0.05,C=0.15,D=0.3"


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.floats(0.001, 1.0), min_size=4, max_size=4),
    counts=st.lists(st.integers(0, 400), min_size=4, max_size=4),
    share=st.floats(0.01, 1.0),
)
def test_budget_scaling_caps_at_one_and_spends_the_budget(weights, counts, share):
    """Sum of pi equals the budget; 0 <= pi <= 1; same as the entity-level solution."""
    counts_a = np.array(counts)
    if counts_a.sum() == 0:
        return
    n = share * counts_a.sum()
    pi = tier_inclusion_probabilities(np.array(weights), counts_a, n)
    assert np.all(pi >= 0) and np.all(pi <= 1 + 1e-12)
    assert float(np.dot(counts_a, pi)) == pytest.approx(n, rel=1e-9)
    entity = inclusion_probabilities(np.repeat(weights, counts), n)
    np.testing.assert_allclose(np.repeat(pi, counts), entity, rtol=1e-9, atol=1e-12)


def _population(size: int = 3000, seed: int = 3):
    return synthetic_population(size, rng=seed, scheme=SCHEME)


def _policies():
    grid = parse_grid("A=0.01:0.05:0.04,D=0.5:0.9:0.4", SCHEME)
    return grid_policies(grid, dict(PRESET.rates), SCHEME) + [
        parse_policy("uniform", SCHEME),
        parse_policy("risk", SCHEME),
    ]


def test_scaled_rates_spend_the_preset_budget_and_cap_at_one():
    population = _population()
    counts = np.bincount(population.tier, minlength=4)
    budget = float(np.dot(counts, [PRESET.rates[c] for c in SCHEME.codes]))
    # D=0.9 with a budget 3x the preset's pushes D's scaled rate to the cap
    policies = _policies()
    sweep = run_sweep(
        population,
        policies,
        periods=1,
        replications=1,
        seed=1,
        simulation_seed=np.random.SeedSequence(1),
        preset=parse_policy(PRESET.name, SCHEME),
        annual_budget=3 * budget,
    )
    result = sweep.result
    assert result.budget_per_period == round(3 * budget)
    for policy in policies:
        rates = result.initial_rates[policy.name]
        spent = sum(counts[i] * rates[c] for i, c in enumerate(SCHEME.codes))
        assert spent == pytest.approx(result.budget_per_period, rel=1e-9)
        assert max(rates.values()) <= 1.0
    assert result.initial_rates["A=0.05,B=0.05,C=0.15,D=0.9"]["D"] == 1.0
    # the first period's inspections are a draw of that budget, whatever the policy
    inspections = result.raw[0, :, 0, result.raw_fields.index("inspections")]
    assert set(inspections) == {result.budget_per_period}


def test_default_budget_is_the_presets():
    population = _population()
    counts = np.bincount(population.tier, minlength=4)
    sweep = run_sweep(
        population,
        _policies(),
        periods=1,
        replications=1,
        seed=1,
        simulation_seed=np.random.SeedSequence(1),
        preset=parse_policy("henan-2021", SCHEME),
    )
    expected = float(np.dot(counts, parse_policy("henan-2021", SCHEME).weights))
    assert sweep.result.budget_per_period == round(expected)
    assert sweep.result.budget_source == "henan-2021"


@pytest.mark.parametrize(
    ("policies", "replications", "block", "match"),
    [
        ([], 2, 1, r"give at least one policy"),
        (["uniform", "uniform"], 2, 1, r"given twice: uniform"),
        (["uniform"], 0, 1, r"`replications` must be at least 1; got 0"),
        (["uniform"], 2, 0, r"a block of replications must be at least 1; got 0"),
    ],
)
def test_sweep_input_errors(policies, replications, block, match):
    with pytest.raises(InvalidInputError, match=match):
        run_sweep(
            _population(500),
            [parse_policy(p, SCHEME) for p in policies],
            periods=2,
            replications=replications,
            seed=1,
            simulation_seed=np.random.SeedSequence(1),
            preset=parse_policy(PRESET.name, SCHEME),
            block=block,
        )


def test_tasks_cover_every_policy_and_replication_once():
    tasks = plan_tasks(3, 7, 3)
    covered = [(t.policy, r) for t in tasks for r in range(t.start, t.stop)]
    assert sorted(covered) == [(p, r) for p in range(3) for r in range(7)]
    assert len(tasks) == 9 and max(t.stop - t.start for t in tasks) == 3


def _sweep(execute=None, block=2, seed=11):
    return run_sweep(
        _population(),
        _policies(),
        periods=3,
        replications=5,
        seed=seed,
        simulation_seed=np.random.SeedSequence(seed).spawn(2)[1],
        preset=parse_policy(PRESET.name, SCHEME),
        block=block,
        execute=execute,
    ).result


def test_shuffled_task_order_and_block_size_give_identical_counts():
    reference = _sweep()

    def shuffled(payload, tasks):
        tasks = list(tasks)
        random.Random(5).shuffle(tasks)
        assert tasks != sorted(tasks)
        return [run_task(payload, t) for t in tasks]

    assert np.array_equal(_sweep(shuffled).raw, reference.raw, equal_nan=True)
    assert np.array_equal(_sweep(block=3).raw, reference.raw, equal_nan=True)
    assert not np.array_equal(_sweep(seed=12).raw, reference.raw, equal_nan=True)


def test_sweep_reproduces_simulate_on_the_same_streams():
    """Same seed and policies: the sweep's counts are simulate's, to the last count, so
    the sweep reuses the simulation model and its common random numbers unchanged."""
    population = _population()
    sweep = _sweep()
    canonical = canonical_population(cells_of(population), population)
    reference = simulate(
        canonical,
        _policies(),
        periods=3,
        replications=5,
        rng=np.random.default_rng(np.random.SeedSequence(11).spawn(2)[1]),
        annual_budget=sweep.budget_per_period,
    )
    assert np.array_equal(reference.raw, sweep.raw, equal_nan=True)


def test_payload_carries_cell_counts_not_entities():
    population = _population(5000)
    payload = sweep_payload(
        population,
        tuple(_policies()),
        periods=2,
        seed=np.random.SeedSequence(1),
        params=ModelParameters(),
        unit="year",
        annual_budget=None,
        preset=parse_policy(PRESET.name, SCHEME),
    )
    assert payload.cells.shape == (len(population.region_codes), 4)
    assert payload.cells.sum() == 5000
    arrays = [v for v in vars(payload).values() if isinstance(v, np.ndarray)]
    assert max(a.size for a in arrays) < 100  # no per-entity array travels
    setup = payload.setup()
    assert np.array_equal(np.bincount(setup.tier, minlength=4), np.bincount(population.tier))
