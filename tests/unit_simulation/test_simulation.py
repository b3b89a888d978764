"""Tests of the simulation model: parameters, policies, budget, population, dynamics."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scheduler.data.directory import Directory
from scheduler.data.reference import tier_scheme
from scheduler.draw.sampling import inclusion_probabilities
from scheduler.errors import InvalidInputError
from scheduler.simulation import (
    ModelParameters,
    Population,
    default_propensities,
    parse_policy,
    population_from_directory,
    synthetic_population,
)
from scheduler.simulation.dynamics import _subset, initial_state, step
from scheduler.simulation.model import period_rates
from scheduler.simulation.policies import budget_per_period, tier_inclusion_probabilities

FOUR = tier_scheme("weifang-4")
FIVE = tier_scheme("shandong-5")


# --- parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", [FOUR, FIVE])
def test_default_propensities_rise_from_best_to_worst(scheme):
    p = list(default_propensities(scheme).values())
    assert len(p) == len(scheme.tiers)
    assert p[0] == pytest.approx(0.02) and p[-1] == pytest.approx(0.30)
    assert all(a < b for a, b in zip(p, p[1:], strict=False))


def test_quarterly_rates_compound_to_the_yearly_ones():
    params = ModelParameters(exit_rate=0.08, self_correction=0.3, repair_after_years=1.0)
    q = period_rates(params, FOUR, "quarter")
    assert pytest.approx(0.08) == 1 - (1 - q.exit) ** 4
    assert pytest.approx(0.3) == 1 - (1 - q.stop) ** 4
    assert q.repair_after == 4 and q.periods_per_year == 4
    # Without inspections the chain keeps each class at its propensity.
    assert q.onset / (q.onset + q.stop) == pytest.approx(q.propensity)


@pytest.mark.parametrize(
    ("params", "unit", "match"),
    [
        (ModelParameters(detection=1.5), "year", "detection"),
        (ModelParameters(exit_rate=-0.1), "year", "exit_rate"),
        (ModelParameters(propensity={"A": 0.1, "B": 0.1, "C": 0.1}), "year", "missing tier"),
        (
            ModelParameters(propensity={"A": 0.1, "B": 0.1, "C": 0.1, "D": 0.1, "Z": 0.1}),
            "year",
            "unknown tier",
        ),
        (
            ModelParameters(propensity={"A": 0.1, "B": 0.1, "C": 0.1, "D": 0.95}),
            "year",
            "cannot be sustained",
        ),
        (ModelParameters(repair_after_years=0), "year", "repair_after_years"),
        (ModelParameters(), "month", "period"),
    ],
)
def test_bad_parameters_are_named(params, unit, match):
    with pytest.raises(InvalidInputError, match=match):
        period_rates(params, FOUR, unit)


def test_all_parameter_problems_are_reported_at_once():
    with pytest.raises(InvalidInputError) as error:
        period_rates(ModelParameters(detection=2.0, repair_rate=-1.0), FOUR, "year")
    assert {p.column for p in error.value.problems} == {"detection", "repair_rate"}


# --- policies and budget ----------------------------------------------------------------


def test_parse_policies():
    assert parse_policy("uniform", FOUR).kind == "uniform"
    assert parse_policy("risk", FOUR).kind == "risk"
    preset = parse_policy("weifang-default", FOUR)
    assert preset.kind == "tiers" and preset.weights == (0.03, 0.05, 0.15, 0.5)
    custom = parse_policy("A=0.01,B=0.02,C=0.1,D=0.3,E=0.9", FIVE)
    assert custom.weights == (0.01, 0.02, 0.1, 0.3, 0.9)


@pytest.mark.parametrize(
    ("text", "scheme", "match"),
    [
        ("nonsense", FOUR, "unknown policy"),
        ("A=0.03,B=0.05,C=0.15", FOUR, "D"),
        ("A=0,B=0.05,C=0.15,D=0.5", FOUR, r"\(0, 1\]"),
        ("A=0.03,B=0.05,C=0.15,D=1.5", FOUR, r"\(0, 1\]"),
        ("A=x,B=0.05,C=0.15,D=0.5", FOUR, "A=0.03"),
        ("weifang-default", FIVE, "scheme"),
    ],
)
def test_bad_policies_are_refused(text, scheme, match):
    with pytest.raises(InvalidInputError, match=match):
        parse_policy(text, scheme)


@settings(deadline=None, max_examples=200)
@given(
    weights=st.lists(
        st.sampled_from([0.0, 0.01, 0.03, 0.05, 0.15, 0.5, 1.0]), min_size=1, max_size=5
    ),
    counts=st.lists(st.integers(0, 40), min_size=5, max_size=5),
    share=st.floats(0.0, 1.0),
)
def test_tier_probabilities_equal_the_sampling_core(weights, counts, share):
    w = np.array(weights)
    m = np.array(counts[: len(w)])
    positive = int(m[w > 0].sum())
    n = share * positive
    per_tier = tier_inclusion_probabilities(w, m, n)
    expected = inclusion_probabilities(np.repeat(w, m), n)
    np.testing.assert_allclose(np.repeat(per_tier, m), expected, atol=1e-12)
    assert np.all((per_tier >= 0) & (per_tier <= 1))


def _population(tiers: list[int], scheme=FOUR) -> Population:
    tier = np.array(tiers, dtype=np.int8)
    return Population(np.zeros(tier.size, np.int8), tier, ("370702",), scheme, "test")


def test_budget_is_the_first_rate_policys_expected_inspections():
    pop = _population([0] * 700 + [1] * 200 + [2] * 70 + [3] * 30)
    policies = (
        parse_policy("uniform", FOUR),
        parse_policy("weifang-default", FOUR),
        parse_policy("henan-2021", FOUR),
    )
    n, source = budget_per_period(policies, pop, 1)
    assert source == "weifang-default"
    assert n == round(700 * 0.03 + 200 * 0.05 + 70 * 0.15 + 30 * 0.5)
    assert budget_per_period(policies, pop, 4) == (round(n / 4), "weifang-default")
    assert budget_per_period(policies, pop, 1, annual_budget=120) == (120, "budget")
    # Without a rate policy the default preset sets it; for a 5-tier scheme it cannot.
    assert budget_per_period(policies[:1], pop, 1)[1] == "weifang-default"
    with pytest.raises(InvalidInputError, match="budget"):
        budget_per_period((parse_policy("uniform", FIVE),), _population([0, 1], FIVE), 1)
    with pytest.raises(InvalidInputError, match="between 1 and"):
        budget_per_period(policies, pop, 1, annual_budget=5000)


# --- populations ------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", [FOUR, FIVE])
def test_synthetic_population_follows_the_reference_mix(scheme):
    pop = synthetic_population(200_000, rng=3, scheme=scheme)
    assert pop.tier.dtype == np.int8 and pop.region.dtype == np.int8
    observed = np.bincount(pop.tier, minlength=len(scheme.tiers))
    mix = np.array([t.mix for t in scheme.tiers])
    # Chi-square goodness of fit at a fixed seed; a wrong mix fails, a right one
    # fails 0.1% of seeds.
    assert stats.chisquare(observed, mix / mix.sum() * pop.size).pvalue > 0.001
    assert len(pop.region_codes) == 12


def test_population_from_directory_uses_active_entities_and_public_tiers():
    entities = pd.DataFrame(
        {
            "uscc": ["u1", "u2", "u3", "u4"],
            "status": ["存续", "存续", "注销", "存续"],
            "region_code": ["370702", "370705", "370702", "370705"],
        }
    )
    ratings = pd.DataFrame(
        {
            "uscc": ["u1", "u2", "u3", "u1"],
            "department_code": ["PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC"],
            "tier": ["A", "D", "C", "C"],
            "evaluated_on": pd.to_datetime(
                ["2025-01-01", "2025-01-01", "2025-01-01", "2026-03-01"]
            ),
            "valid_until": pd.to_datetime([None, None, None, None]),
        }
    )
    directory = Directory.from_tables({"entities": entities, "ratings": ratings})
    pop = population_from_directory(directory, on=date(2025, 6, 1), scheme=FOUR)
    assert pop.size == 3  # u3 is deregistered
    assert [FOUR.codes[t] for t in pop.tier] == ["A", "D", "B"]  # u4 unrated -> default B
    assert pop.region_codes == ("370702", "370705")
    latest = population_from_directory(directory, scheme=FOUR)  # on = latest rating date
    assert FOUR.codes[latest.tier[0]] == "C"


# --- dynamics ---------------------------------------------------------------------------


def test_subset_is_independent_coin_flips():
    rng = np.random.default_rng(11)
    n, p, runs = 50, 0.2, 4000
    hits = np.zeros(n)
    sizes = []
    for _ in range(runs):
        chosen = _subset(n, p, rng)
        assert np.all(np.diff(chosen) > 0) and (chosen.size == 0 or chosen[-1] < n)
        hits[chosen] += 1
        sizes.append(chosen.size)
    # Each index is kept in Binomial(runs, p) runs; sizes follow Binomial(n, p).
    # Chi-square tests at a fixed seed, false alarm rate 0.1% each.
    assert stats.chisquare(hits).pvalue > 0.001
    observed = np.bincount(sizes, minlength=n + 1)
    expected = stats.binom.pmf(np.arange(n + 1), n, p) * runs
    keep = expected > 5
    tail = observed[~keep].sum(), expected[~keep].sum()
    assert (
        stats.chisquare(
            np.append(observed[keep], tail[0]), np.append(expected[keep], tail[1])
        ).pvalue
        > 0.001
    )


def _run_steps(tiers, violating, periods, params, pi_value=1.0, seed=0):
    tier = np.array(tiers, dtype=np.int8)
    state = initial_state(tier, tier, np.array(violating))
    rates = period_rates(params, FOUR, "year")
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(periods):
        rows.append(
            step(
                state,
                t,
                pi_of=lambda s: np.full(s.tier.size, pi_value),
                strata_base=np.zeros(tier.size, np.intp),
                rates=rates,
                mix=np.array([0.25] * 4),
                default_tier=1,
                rng=rng,
            )
        )
    return state, rows


QUIET = ModelParameters(
    detection=1.0,
    exit_rate=0.0,
    rerating_rate=0.0,
    repair_rate=0.0,
    propensity={"A": 0.0, "B": 0.0, "C": 0.0, "D": 0.0},
)


def test_a_finding_lowers_one_tier_and_a_repeat_sends_to_the_worst():
    state, rows = _run_steps([0, 0, 1], [True, False, True], 1, QUIET)
    assert state.tier.tolist() == [1, 0, 2]
    assert not state.violating.any()  # corrected (责令改正), and no new onsets at p = 0
    assert rows[0][2] == 2  # found
    state.violating[0] = True  # violates again within the repeat window
    rates = period_rates(QUIET, FOUR, "year")
    step(
        state,
        1,
        pi_of=lambda s: np.ones(3),
        strata_base=np.zeros(3, np.intp),
        rates=rates,
        mix=np.full(4, 0.25),
        default_tier=1,
        rng=np.random.default_rng(1),
    )
    assert state.tier.tolist() == [3, 0, 2]


def test_repair_restores_the_rating_after_the_minimum_period():
    params = ModelParameters(
        detection=1.0,
        exit_rate=0.0,
        rerating_rate=0.0,
        repair_rate=1.0,
        repair_after_years=1.0,
        repair_after_worst_years=3.0,
        propensity={"A": 0.0, "B": 0.0, "C": 0.0, "D": 0.0},
    )
    rates = period_rates(params, FOUR, "year")
    tier = np.array([1, 2, 0], dtype=np.int8)
    state = initial_state(tier, tier, np.array([True, True, False]))
    history = []
    for t in range(5):
        # Inspect everyone in period 0 only (found: B -> C, C -> D), then nobody.
        step(
            state,
            t,
            pi_of=lambda s, t=t: np.full(3, 1.0 if t == 0 else 0.0),
            strata_base=np.zeros(3, np.intp),
            rates=rates,
            mix=np.full(4, 0.25),
            default_tier=1,
            rng=np.random.default_rng(t),
        )
        history.append(state.tier.tolist())
    # General downgrade repaired after 1 year, the worst tier after 3; never above the rating.
    assert history == [[2, 3, 0], [1, 3, 0], [1, 3, 0], [1, 2, 0], [1, 2, 0]]
    assert state.rated.tolist() == [1, 2, 0]


def test_lifecycle_defaults_come_from_the_publication_rules():
    from scheduler.publication.rules import LifecycleRules

    rules, params = LifecycleRules(), ModelParameters()
    assert params.repeat_window_years * 365 == pytest.approx(rules.repeat_window_days)
    assert params.repair_after_worst_years * 365 == pytest.approx(rules.min_publicity_days_worst)


def test_without_inspections_prevalence_stays_at_the_propensity():
    params = ModelParameters(detection=0.0, exit_rate=0.0, rerating_rate=0.0)
    rates = period_rates(params, FOUR, "year")
    n = 40_000
    tier = np.repeat(np.arange(4, dtype=np.int8), n // 4)
    rng = np.random.default_rng(5)
    state = initial_state(tier, tier, rng.random(n) < rates.propensity[tier])
    _, rows = _run_steps(tier, state.violating, 8, params, pi_value=0.01, seed=6)
    violating = np.array([r[8] for r in rows])
    expected = rates.propensity.mean() * n
    # The count stays Binomial-like around its stationary mean; 5 sd bounds a
    # drift, false alarms are below 1e-6 per period.
    sd = np.sqrt(n * rates.propensity.mean())
    assert np.all(np.abs(violating - expected) < 5 * sd)
