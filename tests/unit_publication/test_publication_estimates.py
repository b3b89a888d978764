"""Horvitz–Thompson / Hájek estimates of violation rates: unbiasedness, variance, coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scheduler.draw.sampling import draw_sample
from scheduler.publication.estimates import estimate_rates, ht_variance, sample_frame

N = 20_000
REPLICATIONS = 200
RATES = {"A": 0.03, "B": 0.05, "C": 0.15, "D": 0.5}
TRUE_VIOLATION = {"A": 0.05, "B": 0.10, "C": 0.30, "D": 0.60}


def _population(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tier = rng.choice(list("ABCD"), N, p=[0.6, 0.25, 0.1, 0.05])
    region = rng.choice(["370702", "370703", "370705"], N)
    y = (rng.random(N) < pd.Series(tier).map(TRUE_VIOLATION).to_numpy()).astype(float)
    return pd.DataFrame(
        {"uscc": np.arange(N).astype(str), "tier": tier, "region_code": region, "y": y}
    )


def _replicate(pop: pd.DataFrame, design: str, seed: int) -> list:
    """Estimates of the overall and tier-C rate over REPLICATIONS independent draws."""
    strata = pd.factorize(pop["region_code"] + "/" + pop["tier"])[0]
    pi = pop["tier"].map(RATES).to_numpy()
    if design == "systematic":  # unequal pi within strata: the pi-ps path of draw_sample
        pi = pi * np.random.default_rng(seed).uniform(0.5, 1.5, N)
    out = []
    for rng in np.random.default_rng(seed).spawn(REPLICATIONS):
        s = draw_sample(pi, rng=rng, strata=strata)
        sample = pop.iloc[s].assign(
            inclusion_prob=pi[s], stratum=strata[s], violation=pop["y"].to_numpy()[s]
        )
        out.append(estimate_rates(sample, by=("tier",)).estimates)
    return out


@pytest.mark.parametrize("design", ["stratified", "systematic"])
def test_ht_estimates_unbiased_and_ci_coverage(design: str) -> None:
    pop = _population(1)
    true_total, true_rate = pop["y"].sum(), pop["y"].mean()
    runs = _replicate(pop, design, seed=2)
    overall = [r[0] for r in runs]
    totals = np.array([e.total for e in overall])
    rates = np.array([e.rate for e in overall])
    # Unbiasedness: the Monte-Carlo mean lies within 3 Monte-Carlo standard errors of the truth
    # (false-failure rate about 0.3% for a normal mean; fixed seed, so the test is deterministic).
    assert abs(totals.mean() - true_total) <= 3 * totals.std(ddof=1) / np.sqrt(REPLICATIONS)
    # Hájek rate: a ratio, bias O(1/n) which is far below the Monte-Carlo error at n ~ 1500.
    assert abs(rates.mean() - true_rate) <= 3 * rates.std(ddof=1) / np.sqrt(REPLICATIONS)
    # The variance estimator is about right: mean estimated SE within 15% of the simulated SD.
    mean_se = np.mean([e.rate_se for e in overall])
    assert mean_se == pytest.approx(rates.std(ddof=1), rel=0.15)
    # Coverage of the nominal 95% CI: binomial test, two-sided, alpha = 0.001.
    covered = sum(e.rate_low <= true_rate <= e.rate_high for e in overall)
    assert stats.binomtest(covered, REPLICATIONS, 0.95).pvalue > 0.001, covered
    # A domain: tier C, whose true rate is known exactly.
    tier_c = [next(e for e in r if e.domain == "tier" and e.value == "C") for r in runs]
    true_c = pop.loc[pop["tier"] == "C", "y"].mean()
    c_rates = np.array([e.rate for e in tier_c])
    assert abs(c_rates.mean() - true_c) <= 3 * c_rates.std(ddof=1) / np.sqrt(REPLICATIONS)


def test_variance_equals_stratified_srs_formula() -> None:
    rng = np.random.default_rng(5)
    sizes, samples = [400, 90], [20, 30]
    z = [rng.random(n) for n in samples]
    pi = np.concatenate([np.full(n, n / big) for n, big in zip(samples, sizes, strict=True)])
    strata = np.repeat([0, 1], samples)
    expected = sum(
        big**2 * (1 - n / big) * zz.var(ddof=1) / n
        for big, n, zz in zip(sizes, samples, z, strict=True)
    )
    got, collapsed = ht_variance(np.concatenate(z), pi, strata)
    assert got == pytest.approx(expected, rel=1e-12) and collapsed == 0


def test_certainty_units_add_no_variance_and_singletons_are_pooled() -> None:
    assert ht_variance([1.0, 0.0, 1.0], [1.0, 1.0, 1.0], [0, 0, 0])[0] == 0.0
    _, collapsed = ht_variance([1.0, 0.0, 1.0, 0.0], [0.1, 0.2, 0.5, 0.5], [0, 1, 2, 2])
    assert collapsed == 2


def test_known_population_ht_rate_and_missing_results() -> None:
    draw = pd.DataFrame(
        {
            "draw_id": "D",
            "uscc": list("abcdef"),
            "tier": list("AABBBB"),
            "region_code": "370702",
            "inclusion_prob": [0.1, 0.1, 0.5, 0.5, 0.5, 0.5],
            "stratum": list("xxyyyy"),
        }
    )
    results = pd.DataFrame(
        {
            "uscc": list("abcde"),
            "department_code": "MARKET",
            "inspected_on": pd.Timestamp("2026-03-02"),
            "result_code": ["09", "01", "02", "01", "03"],
            "draw_id": "D",
            "notes": "",
        }
    )
    sample = sample_frame(draw, results, department_code="MARKET")
    assert sample["violation"].isna().sum() == 1  # f has no result yet
    report = estimate_rates(sample, by=("tier",), population={("tier", "A"): 20}, estimator="ht")
    tier_a = next(e for e in report.estimates if e.value == "A")
    assert (tier_a.total, tier_a.rate, tier_a.population_known) == (10.0, 0.5, True)
    tier_b = next(e for e in report.estimates if e.value == "B")
    # f missing: the three observed B units stand for the stratum (pi scaled by 3/4).
    assert tier_b.observed == 3 and tier_b.total == pytest.approx(1 / (0.5 * 3 / 4))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"confidence": 1.5}, "confidence"),
        ({"estimator": "x"}, "estimator"),
        ({"by": ("nope",)}, "nope"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    sample = pd.DataFrame(
        {"uscc": ["a"], "inclusion_prob": [0.5], "stratum": ["s"], "violation": [1.0]}
    )
    with pytest.raises(ValueError, match=match):
        estimate_rates(sample, **{"by": (), **kwargs})
