"""Korn–Graubard intervals: exact in the simple case, never zero width, covering at small sizes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from interval_coverage import simulate_coverage
from scipy import stats

from scheduler.publication.estimates import (
    INSUFFICIENT_ZH,
    RateEstimate,
    domain_estimate,
    estimate_rates,
)
from scheduler.publication.intervals import MIN_EFFECTIVE_N, korn_graubard

ALPHA = 0.001


@pytest.mark.parametrize(("x", "n"), [(0, 10), (1, 10), (3, 40), (17, 200), (40, 40)])
def test_simple_random_sample_gives_clopper_pearson(x: int, n: int) -> None:
    # SRS variance p(1-p)/n and ample degrees of freedom: n_eff = n, the exact binomial interval.
    p = x / n
    got = korn_graubard(p, p * (1 - p) / n, n, df=n - 1)
    want = stats.binomtest(x, n).proportion_ci(0.95, method="exact")
    assert (got.low, got.high) == pytest.approx((want.low, want.high), abs=1e-9)
    assert got.effective_n == pytest.approx(n)


def test_design_effect_and_few_degrees_of_freedom_widen_the_interval() -> None:
    srs = korn_graubard(0.1, 0.1 * 0.9 / 100, 100, df=99)
    clustered = korn_graubard(0.1, 2 * 0.1 * 0.9 / 100, 100, df=99)  # design effect 2
    few_df = korn_graubard(0.1, 0.1 * 0.9 / 100, 100, df=5)
    assert clustered.effective_n == pytest.approx(50)
    assert clustered.low < srs.low and clustered.high > srs.high
    assert few_df.low < srs.low and few_df.high > srs.high


def _sample(violations: list[float], tiers: str) -> pd.DataFrame:
    n = len(violations)
    return pd.DataFrame(
        {
            "uscc": [str(k) for k in range(n)],
            "tier": list(tiers),
            "inclusion_prob": 0.01,
            "stratum": list(tiers),
            "violation": violations,
        }
    )


def test_a_domain_without_violations_gets_a_positive_upper_bound_and_a_flag() -> None:
    report = estimate_rates(
        _sample([0.0] * 10 + [1.0] + [0.0] * 39, "A" * 10 + "B" * 40), by=("tier",)
    )
    tier_a = next(e for e in report.estimates if e.value == "A")
    assert tier_a.rate == 0.0 and tier_a.rate_low == 0.0
    # Clopper–Pearson upper bound for 0 of 10 (df 9 = n - 1, so no further widening).
    assert tier_a.rate_high == pytest.approx(1 - 0.025 ** (1 / 10))
    assert tier_a.total_high > 0
    assert tier_a.insufficient_sample and tier_a.effective_n < MIN_EFFECTIVE_N
    frame = report.to_frame()
    assert frame.loc[frame["value"] == "A", "sample_note"].item() == INSUFFICIENT_ZH


def test_domain_estimate_returns_a_frozen_dataclass() -> None:
    fit = domain_estimate(
        np.array([1.0, 0.0, 0.0, 1.0]),
        np.array([True, True, True, False]),
        np.full(4, 0.5),
        np.zeros(4, dtype=int),
    )
    assert isinstance(fit, RateEstimate)
    assert fit.rate == pytest.approx(1 / 3) and fit.population == pytest.approx(6.0)
    assert fit.interval.df == 2 and 0 < fit.rate_low < fit.rate < fit.rate_high < 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.rate = 0.5  # type: ignore[misc]


def test_coverage_at_district_and_tier_sizes() -> None:
    # About ten drawn per district, true district rates 2%-10%, stratified district x tier design
    # (tests/interval_coverage.py). District estimates are independent given the population, so
    # the hits of a domain type are a sum of independent Bernoullis: a one-sided binomial test at
    # ALPHA = 0.001 must reject "coverage <= 93%". The old normal interval is rejected the other
    # way ("coverage >= 93%"), which is what the published intervals did before issue 11.
    result = simulate_coverage(200, seed=11)
    for domain in ("district", "tier"):
        hits, trials = result.covered(domain)
        assert stats.binomtest(hits, trials, 0.93, alternative="greater").pvalue < ALPHA, (
            domain,
            hits / trials,
        )
    old_hits, trials = result.covered("district", "normal")
    assert stats.binomtest(old_hits, trials, 0.93, alternative="less").pvalue < ALPHA
