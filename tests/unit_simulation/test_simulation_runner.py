"""Tests of replications, known answers, reproducibility and the result files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from scheduler.data.reference import tier_scheme
from scheduler.errors import InvalidInputError
from scheduler.simulation import ModelParameters, parse_policy, simulate, synthetic_population
from scheduler.simulation.output import markdown_table, summary_dict, tidy_frame, write_results

FOUR = tier_scheme("weifang-4")
FIVE = tier_scheme("shandong-5")


@pytest.fixture(scope="module")
def population():
    return synthetic_population(20_000, rng=7, scheme=FOUR)


def _field(result, name):
    return result.raw[..., result.raw_fields.index(name)]


@pytest.mark.parametrize("accuracy", [1.0, 0.6])
@pytest.mark.parametrize(
    "policy", ["uniform", "weifang-default", "A=0.05,B=0.2,C=0.6,D=1.0", "risk"]
)
def test_single_period_hit_rate_is_the_inclusion_weighted_propensity(population, policy, accuracy):
    """Known answer: detection 1, one period -> hits / inspections estimates
    sum_i pi_i p_i / sum_i pi_i, with p_i the propensity of i's true class."""
    params = ModelParameters(detection=1.0, rating_accuracy=accuracy)
    result = simulate(
        population,
        [parse_policy(policy, FOUR)],
        periods=1,
        replications=40,
        rng=99,
        params=params,
        annual_budget=2_000,
    )
    p = np.array(list(params.resolved_propensity(FOUR).values()))
    counts = np.bincount(population.tier, minlength=4)
    mix = counts / counts.sum()
    # True class = tier with probability `accuracy`, else drawn from the mix.
    p_of_tier = accuracy * p + (1 - accuracy) * mix @ p
    pi = np.array([result.initial_rates[policy][c] for c in FOUR.codes])
    expected = (pi * counts) @ p_of_tier / ((pi * counts).sum())

    found = _field(result, "found").sum()
    inspections = _field(result, "inspections").sum()
    assert inspections == 40 * 2_000  # fixed-size draws
    # Hits are (close to) a sum of independent Bernoulli(p_i) over the sample;
    # Var <= n * pbar * (1 - pbar). Two-sided z test: false alarm rate 0.1%.
    z = (found - inspections * expected) / np.sqrt(inspections * expected * (1 - expected))
    assert abs(z) < stats.norm.ppf(1 - 0.0005), (found / inspections, expected)


def test_weighting_finds_more_than_uniform_at_equal_budget(population):
    policies = [parse_policy("uniform", FOUR), parse_policy("weifang-default", FOUR)]
    result = simulate(population, policies, periods=3, replications=8, rng=1)
    inspections = _field(result, "inspections")
    assert np.all(inspections == result.budget_per_period)  # equal budget, every period
    hit = result.values[..., result.metric_index("hit_rate")].mean(axis=(0, 2))
    assert hit[1] > 1.3 * hit[0]
    burden = result.values[..., result.metric_index("best_tier_inspected")].mean(axis=(0, 2))
    assert burden[1] < burden[0]  # tier A disturbed less (无事不扰)


def test_same_seed_same_results_whatever_the_workers(population):
    policies = [parse_policy("uniform", FOUR), parse_policy("risk", FOUR)]
    kwargs = dict(periods=3, replications=5, rng=2026, unit="quarter")
    one = simulate(population, policies, workers=1, **kwargs)
    two = simulate(population, policies, workers=2, **kwargs)
    np.testing.assert_array_equal(one.raw, two.raw)
    assert json.dumps(summary_dict(one)) == json.dumps(summary_dict(two))
    other = simulate(population, policies, workers=1, **{**kwargs, "rng": 2027})
    assert not np.array_equal(one.raw, other.raw)


def test_metrics_are_consistent(population):
    result = simulate(
        population, [parse_policy("henan-2021", FOUR)], periods=6, replications=3, rng=3
    )
    shares = sum(result.values[..., result.metric_index(f"tier_share_{c}")] for c in FOUR.codes)
    np.testing.assert_allclose(shares, 100.0)
    cov3 = result.values[..., result.metric_index("coverage_3y")]
    cov5 = result.values[..., result.metric_index("coverage_5y")]
    assert np.isnan(cov3[:, :, :2]).all() and not np.isnan(cov3[:, :, 2:]).any()
    assert np.isnan(cov5[:, :, :4]).all() and np.all(cov5[:, :, 4:] >= cov3[:, :, 4:])
    tidy = tidy_frame(result)
    assert len(tidy) == result.values.size
    assert set(tidy.columns) == {"replication", "policy", "period", "metric", "value"}


def test_five_tier_scheme_runs():
    pop = synthetic_population(5_000, rng=4, scheme=FIVE)
    rates = "A=0.02,B=0.03,C=0.1,D=0.3,E=0.8"
    policies = [parse_policy("uniform", FIVE), parse_policy(rates, FIVE)]
    result = simulate(pop, policies, periods=2, replications=2, rng=5)
    assert result.tier_codes == FIVE.codes
    assert "tier_share_E" in [m.name for m in result.metrics]
    assert "| `uniform` |" in markdown_table(result)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"periods": 0}, "periods"),
        ({"replications": 0}, "replications"),
        ({"workers": 0}, "workers"),
    ],
)
def test_bad_run_arguments(population, kwargs, match):
    args = dict(periods=2, replications=2, rng=1) | kwargs
    with pytest.raises(InvalidInputError, match=match):
        simulate(population, [parse_policy("uniform", FOUR)], **args)


def test_duplicate_policies_are_refused(population):
    with pytest.raises(InvalidInputError, match="differ"):
        simulate(population, [parse_policy("uniform", FOUR)] * 2, periods=1, replications=1, rng=1)


def test_written_files(population, tmp_path):
    result = simulate(
        population,
        [parse_policy("uniform", FOUR), parse_policy("weifang-default", FOUR)],
        periods=5,
        replications=3,
        rng=8,
    )
    paths = write_results(result, tmp_path)
    names = {p.name for p in paths}
    assert {
        "metrics.csv",
        "summary.csv",
        "summary.json",
        "summary.md",
        "hit_rate.png",
        "tier_distribution.png",
        "coverage_5y.png",
    } <= names
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["seed"] == 8 and summary["budget"]["set_by"] == "weifang-default"
    text = json.dumps(summary)
    assert "time" not in {k for k in summary} and "created" not in text and "elapsed" not in text
    assert (tmp_path / "hit_rate.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_one_seed_stands_for_one_pair_of_streams() -> None:
    from scheduler.errors import InvalidInputError
    from scheduler.simulation import simulate_seeded, simulation_streams, synthetic_population

    one = simulate_seeded(7, 500, ["uniform", "risk"], periods=2, replications=2)
    streams = simulation_streams(7)
    population = synthetic_population(500, rng=streams.population)
    assert one.seed == 7 and one.population == population.describe()
    two = simulate_seeded(7, population, ["uniform", "risk"], periods=2, replications=2)
    assert np.array_equal(one.raw, two.raw, equal_nan=True)
    with pytest.raises(InvalidInputError, match="seed"):
        simulation_streams(-1)
