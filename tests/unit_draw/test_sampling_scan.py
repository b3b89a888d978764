"""The compiled pass selects exactly the units the numpy code selects, and refuses alike.

Every case draws the same frame and seed twice, once through the numpy code
(``MIN_UNITS`` above the frame) and once through the compiled loops
(``MIN_UNITS`` 0), and compares the selected units (and the bit generator's
position after the draw) one for one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from scheduler.draw import sampling, sampling_scan
from scheduler.draw.sampling import draw_sample

pytestmark = pytest.mark.skipif(
    not sampling_scan.warm_up(), reason="numba is not installed: only the numpy code runs"
)


def _both(
    monkeypatch: pytest.MonkeyPatch, pi: np.ndarray, strata: object, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    out = []
    scans: list[object] = []
    scan = sampling_scan.scan
    monkeypatch.setattr(sampling_scan, "scan", lambda *a: scans.append(scan(*a)) or scans[-1])
    for min_units in (10**12, 0):
        monkeypatch.setattr(sampling_scan, "MIN_UNITS", min_units)
        bits = np.random.PCG64(seed)
        chosen = draw_sample(pi, rng=bits, strata=strata)
        out.append((chosen, bits.random_raw()))
    (numpy_way, numpy_next), (compiled, compiled_next) = out
    integer = strata is None or np.asarray(strata).dtype.kind in "iu"
    assert len(scans) == (1 if integer else 0), "the compiled pass ran where it should"
    assert compiled.dtype == numpy_way.dtype
    assert numpy_next == compiled_next, "the two paths read a different number of words"
    return numpy_way, compiled


def _frame(rng: np.random.Generator, n: int, n_strata: int) -> tuple[np.ndarray, np.ndarray]:
    """Uneven strata: some large, some of a few units (missed by a strided look)."""
    weights = rng.pareto(1.0, n_strata) + 0.01
    strata = rng.choice(n_strata, size=n, p=weights / weights.sum())
    rates = rng.choice([0.0, 0.03, 0.05, 0.15, 0.5, 1.0], size=n_strata)
    return rates[strata], strata


CASES: list[tuple[int, int]] = [(50, 3), (5000, 48), (20000, 200), (30000, 1000)]


@pytest.mark.parametrize(("n", "n_strata"), CASES)
def test_same_units_as_numpy(monkeypatch: pytest.MonkeyPatch, n: int, n_strata: int) -> None:
    rng = np.random.default_rng(n)
    for seed in range(8):
        pi, strata = _frame(rng, n, n_strata)
        numpy_way, compiled = _both(monkeypatch, pi, strata, seed)
        np.testing.assert_array_equal(compiled, numpy_way)


def test_highest_label_in_a_tiny_stratum(monkeypatch: pytest.MonkeyPatch) -> None:
    """A label above every label of the strided look resizes the tables."""
    pi = np.full(40000, 0.05)
    strata = np.zeros(40000, dtype=np.int64)
    strata[[7, 19]] = 900
    pi[[7, 19]] = 0.5
    for seed in range(5):
        numpy_way, compiled = _both(monkeypatch, pi, strata, seed)
        np.testing.assert_array_equal(compiled, numpy_way)


@pytest.mark.parametrize(
    "patch",
    [
        pytest.param(lambda m: m.setattr(sampling, "_CUT_SIGMAS", -3.0), id="cut-falls-short"),
        pytest.param(
            lambda m: m.setattr(
                sampling,
                "_uniform_keys",
                (lambda f: lambda bits, size: f(bits, size) & 1)(sampling._uniform_keys),
            ),
            id="keys-tie-everywhere",
        ),
    ],
)
def test_same_units_in_the_rare_branches(
    monkeypatch: pytest.MonkeyPatch, patch: Callable[[pytest.MonkeyPatch], None]
) -> None:
    patch(monkeypatch)
    monkeypatch.setattr(sampling, "_CUT_SLACK", 0.0)
    rng = np.random.default_rng(11)
    for seed in range(6):
        pi, strata = _frame(rng, 20000, 60)
        numpy_way, compiled = _both(monkeypatch, pi, strata, seed)
        np.testing.assert_array_equal(compiled, numpy_way)


@pytest.mark.parametrize(
    "strata",
    [
        pytest.param(None, id="no-strata"),
        pytest.param(np.arange(6000) % 7, id="int64"),
        pytest.param((np.arange(6000) % 7).astype(np.int32), id="int32"),
        pytest.param((np.arange(6000) % 7) * 10**9, id="sparse-labels"),
        pytest.param(np.array(["b", "a", "c"] * 2000), id="string-labels"),
    ],
)
def test_same_units_for_every_label_kind(monkeypatch: pytest.MonkeyPatch, strata: object) -> None:
    pi = np.where(np.arange(6000) % 3 == 0, 0.2, 0.05)
    if strata is not None:
        pi = np.array([0.02, 0.1, 0.3, 0.05, 0.5, 0.07, 0.01])[np.arange(6000) % 7]
    for seed in range(4):
        numpy_way, compiled = _both(monkeypatch, pi, strata, seed)
        np.testing.assert_array_equal(compiled, numpy_way)


def test_same_units_when_pi_varies_within_a_stratum(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unequal pi goes to the systematic design on both paths, from the same word."""
    rng = np.random.default_rng(3)
    pi, strata = _frame(rng, 20000, 30)
    pi = pi * rng.uniform(0.5, 1.0, pi.size)
    for seed in range(4):
        numpy_way, compiled = _both(monkeypatch, pi, strata, seed)
        np.testing.assert_array_equal(compiled, numpy_way)


BAD: list[tuple[np.ndarray, np.ndarray, str]] = [
    (np.full(5000, 0.1), np.r_[np.zeros(4999, int), -2], r"labels must be >= 0; got -2"),
    (np.r_[np.full(4999, 0.1), np.nan], np.zeros(5000, int), r"must be finite; got pi\[4999\]"),
    (np.r_[np.full(4999, 0.1), 1.5], np.r_[np.zeros(4999, int), 1], r"in \[0, 1\]; got pi\[4999\]"),
    (np.r_[np.full(4999, -0.1)], np.zeros(4999, int), r"in \[0, 1\]; got pi\[0\] = -0.1"),
    (np.full(5000, 0.1), np.zeros(4000, int), r"must have the shape of `pi`"),
]


@pytest.mark.parametrize(("pi", "strata", "message"), BAD)
def test_refuses_alike(
    monkeypatch: pytest.MonkeyPatch, pi: np.ndarray, strata: np.ndarray, message: str
) -> None:
    for min_units in (10**12, 0):
        monkeypatch.setattr(sampling_scan, "MIN_UNITS", min_units)
        with pytest.raises(ValueError, match=message):
            draw_sample(pi, rng=1, strata=strata)


def test_first_large_draw_of_a_process_skips_numba(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-shot draw does not pay numba's load; the next large draw uses it."""
    monkeypatch.setattr(sampling_scan, "_loaded", False)
    monkeypatch.setattr(sampling_scan, "_first_skipped", False)
    monkeypatch.setattr(sampling_scan, "MIN_UNITS", 1000)
    assert not sampling_scan.available(999)
    assert not sampling_scan.available(5000)
    assert sampling_scan.available(5000)
    assert sampling_scan._loaded
