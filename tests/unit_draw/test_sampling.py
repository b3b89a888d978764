"""The sampling core: exact inclusion probabilities, fixed sizes, validation.

Statistical tests run 2,000 seeded draws and test every unit's selection count
against its pi with ``scipy.stats.binomtest``. Family-wise error: each test
uses alpha = 0.001 / (number of units tested) (Bonferroni), so a correct
sampler fails a whole test with probability < 0.001; the seeds are fixed, so
the outcome is reproducible.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from scheduler.draw import sampling
from scheduler.draw.sampling import draw_sample, inclusion_probabilities, round_stratum_sizes

SEEDS = 2000
FAMILY_ALPHA = 0.001


def _frame() -> tuple[np.ndarray, np.ndarray]:
    """3 regions x 4 tiers, small and uneven strata, a tier at rate 1 (capped)."""
    rates = np.array([0.1, 0.25, 0.5, 1.0])
    sizes = [[40, 15, 6, 3], [25, 9, 4, 2], [11, 5, 3, 1]]
    strata, pi = [], []
    for region, row in enumerate(sizes):
        for tier, n in enumerate(row):
            strata += [region * 4 + tier] * n
            pi += [rates[tier]] * n
    return np.array(pi), np.array(strata)


def _counts(pi: np.ndarray, strata: np.ndarray | None) -> tuple[np.ndarray, list[np.ndarray]]:
    hits = np.zeros(pi.size, dtype=np.int64)
    samples = []
    for seed in range(SEEDS):
        chosen = draw_sample(pi, rng=seed, strata=strata)
        hits[chosen] += 1
        samples.append(chosen)
    return hits, samples


def _assert_exact(pi: np.ndarray, hits: np.ndarray) -> None:
    certain = pi == 1.0
    never = pi == 0.0
    assert (hits[certain] == SEEDS).all()
    assert (hits[never] == 0).all()
    tested = np.flatnonzero(~certain & ~never)
    alpha = FAMILY_ALPHA / tested.size
    worst = min(binomtest(int(hits[i]), SEEDS, float(pi[i])).pvalue for i in tested)
    assert worst > alpha, (
        f"a unit's selection count disagrees with its pi (p = {worst:.2e} < {alpha:.2e})"
    )


def test_stratified_draw_is_exact_and_sizes_are_rounded_expectations() -> None:
    pi, strata = _frame()
    hits, samples = _counts(pi, strata)
    _assert_exact(pi, hits)
    expected = np.bincount(strata, weights=pi)
    total = pi.sum()
    for chosen in samples:
        sizes = np.bincount(strata[chosen], minlength=expected.size)
        assert ((sizes == np.floor(expected + 1e-9)) | (sizes == np.ceil(expected - 1e-9))).all()
        assert chosen.size in (np.floor(total), np.ceil(total))
        assert np.unique(chosen).size == chosen.size


def test_budget_probabilities_give_fixed_total() -> None:
    pi, strata = _frame()
    weights = np.array([1.0, 2.0, 5.0, 15.0])[strata % 4]
    budget_pi = inclusion_probabilities(weights, 30)
    assert (budget_pi == 1.0).sum() > 0  # some units capped
    hits, samples = _counts(budget_pi, strata)
    _assert_exact(budget_pi, hits)
    assert {len(s) for s in samples} == {30}


def test_unequal_probabilities_path_is_exact_with_fixed_size() -> None:
    rng = np.random.default_rng(11)
    weights = rng.lognormal(size=90)
    weights[:3] *= 40  # capped units
    weights[3] = 0.0
    pi = inclusion_probabilities(weights, 20)
    strata = np.arange(90) % 3
    hits, samples = _counts(pi, strata)
    _assert_exact(pi, hits)
    assert {len(s) for s in samples} == {20}
    expected = np.bincount(strata, weights=pi)
    for chosen in samples[:200]:
        sizes = np.bincount(strata[chosen], minlength=3)
        assert ((sizes == np.floor(expected)) | (sizes == np.ceil(expected))).all()


def test_exact_when_the_candidate_cut_falls_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fallback for a stratum with too few candidates keeps the design exact."""
    monkeypatch.setattr(sampling, "_CUT_SIGMAS", -3.0)
    monkeypatch.setattr(sampling, "_CUT_SLACK", 0.0)
    pi, strata = _frame()
    hits, samples = _counts(pi, strata)
    _assert_exact(pi, hits)


def test_exact_when_keys_tie_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """With 1-bit keys nearly every cut-off is a tie: random tie-breaking keeps it exact."""
    original = sampling._uniform_keys
    monkeypatch.setattr(sampling, "_uniform_keys", lambda rng, size: original(rng, size) & 1)
    pi, strata = _frame()
    hits, _ = _counts(pi, strata)
    _assert_exact(pi, hits)


def test_generator_choice_is_biased_where_draw_sample_is_not() -> None:
    """``choice(p=..., replace=False)`` draws successively; its inclusion probabilities are off."""
    pi = np.array([0.9, 0.6, 0.3, 0.1, 0.1])  # sum 2
    rng = np.random.default_rng(5)
    hits = np.zeros(pi.size, dtype=np.int64)
    for _ in range(SEEDS):
        hits[rng.choice(pi.size, size=2, replace=False, p=pi / pi.sum())] += 1
    worst = min(binomtest(int(hits[i]), SEEDS, float(pi[i])).pvalue for i in range(pi.size))
    assert worst < FAMILY_ALPHA / pi.size  # detected at the same family-wise level
    ours, _ = _counts(pi, None)
    _assert_exact(pi, ours)


def test_ties_at_the_cut_are_broken_at_random() -> None:
    """Ties are broken by fresh raw words: a uniformly random subset of the tied."""
    picks = np.zeros(3, dtype=np.int64)
    bits = np.random.PCG64(0)
    for _ in range(3000):
        picks[sampling._random_subset(3, 2, bits)] += 1
    # each of 3 is picked with probability 2/3; 0.001 / 3 per unit (Bonferroni)
    assert min(binomtest(int(picks[i]), 3000, 2 / 3).pvalue for i in range(3)) > 0.001 / 3


def test_the_candidate_cut_changes_speed_never_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stratum left short by the cut is redone from the same keys: same seed, same sample."""
    pi, strata = _frame()
    before = [draw_sample(pi, rng=seed, strata=strata) for seed in range(200)]
    monkeypatch.setattr(sampling, "_CUT_SIGMAS", -3.0)
    monkeypatch.setattr(sampling, "_CUT_SLACK", 0.0)
    after = [draw_sample(pi, rng=seed, strata=strata) for seed in range(200)]
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_joint_rounding_keeps_total_and_bounds() -> None:
    expected = np.array([2.3, 0.4, 5.3, 1.0, 0.0])
    rng = np.random.default_rng(2)
    up = np.zeros(5)
    for _ in range(SEEDS):
        sizes = round_stratum_sizes(expected, np.array([10] * 5), rng)
        assert sizes.sum() == 9
        assert ((sizes == np.floor(expected)) | (sizes == np.ceil(expected))).all()
        up += sizes - np.floor(expected)
    for i, frac in enumerate(expected - np.floor(expected)):
        if 0 < frac < 1:
            assert binomtest(int(up[i]), SEEDS, frac).pvalue > FAMILY_ALPHA / 3


def test_same_seed_same_sample_and_generator_accepted() -> None:
    pi, strata = _frame()
    a = draw_sample(pi, rng=123, strata=strata)
    b = draw_sample(pi, rng=np.random.default_rng(123), strata=strata)
    assert np.array_equal(a, b)
    labels = np.array([f"s{c}" for c in strata])
    assert draw_sample(pi, rng=1, strata=labels).size in (np.floor(pi.sum()), np.ceil(pi.sum()))


@pytest.mark.parametrize(
    ("weights", "n", "match"),
    [
        ([1.0, -1.0], 1, r"`weights` must be >= 0; got weights\[1\] = -1.0"),
        ([1.0, np.nan], 1, r"`weights` must be finite"),
        ([[1.0]], 1, r"`weights` must be one-dimensional"),
        (
            [1.0, 0.0, 2.0],
            3,
            r"`n` must not exceed the number of units with positive weight \(2\); got 3",
        ),
        ([1.0], -1, r"`n` must be a finite number >= 0; got -1"),
        ([1.0], "x", r"`n` must be a number; got 'x'"),
    ],
)
def test_inclusion_probabilities_rejects(weights: list, n: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        inclusion_probabilities(weights, n)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("pi", "strata", "match"),
    [
        ([0.5, 1.5], None, r"`pi` must be in \[0, 1\]; got pi\[1\] = 1.5"),
        ([0.5, np.nan], None, r"`pi` must be finite"),
        ([0.5, -0.1], [0, 0], r"`pi` must be in \[0, 1\]; got pi\[1\] = -0.1"),
        ([0.5, 0.5], [0], r"`strata` must have the shape of `pi`"),
        ([0.5, 0.5], [0, -1], r"`strata` labels must be >= 0"),
    ],
)
def test_draw_sample_rejects(pi: list, strata: list | None, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        draw_sample(pi, rng=0, strata=strata)


weights_lists = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=60
)


@settings(max_examples=200, deadline=None)
@given(weights_lists, st.data())
def test_inclusion_probabilities_properties(weights: list[float], data: st.DataObject) -> None:
    w = np.array(weights)
    positive = int(np.count_nonzero(w))
    n = data.draw(st.integers(min_value=0, max_value=positive))
    pi = inclusion_probabilities(w, n)
    assert np.isclose(pi.sum(), n, rtol=1e-9, atol=1e-9)
    assert (pi >= 0).all() and (pi <= 1).all()
    assert (pi[w == 0] == 0).all()
    order = np.argsort(w, kind="stable")
    assert (np.diff(pi[order]) >= -1e-12).all()  # monotone in the weight


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.05, 0.3, 0.5, 1.0]), min_size=1, max_size=80),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=0, max_value=2**32),
)
def test_draw_sample_properties(pi_values: list[float], n_strata: int, seed: int) -> None:
    pi = np.array(pi_values)
    strata = np.arange(pi.size) % n_strata
    chosen = draw_sample(pi, rng=seed, strata=strata)
    assert (np.diff(chosen) > 0).all()
    assert set(np.flatnonzero(pi == 1.0)) <= set(chosen)
    assert not set(np.flatnonzero(pi == 0.0)) & set(chosen)
    expected = np.bincount(strata, weights=pi, minlength=n_strata)
    sizes = np.bincount(strata[chosen], minlength=n_strata)
    assert ((sizes >= np.floor(expected + 1e-9)) & (sizes <= np.ceil(expected - 1e-9))).all()


def test_inclusion_probabilities_with_subnormal_weights() -> None:
    """Regression (found by Hypothesis): c = (n - k) / S_k overflowed for subnormal weights."""
    pi = inclusion_probabilities([1.0] * 5 + [2.2250738585e-313] * 2, 6)
    assert pi.tolist() == [1.0] * 5 + [0.5, 0.5]
