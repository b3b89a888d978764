"""The version-1 sampling core, frozen: only to re-run draws recorded with ``algorithm_version`` 1.

Version 1 (until issue 11) drew through numpy ``Generator`` methods
(``permutation``, ``random``, ``choice``), whose streams numpy promises only
within one numpy version, and rounded stratum sizes over fractional parts in
a random order (district totals could drift). Version 2 (``scheduler.draw.sampling``)
fixes both; this module keeps the old code unchanged so that a version-1
receipt still verifies. Do not edit the algorithm here: a change would alter
which units an old seed selects. New draws never use it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["draw_sample"]

_ONE_TOL = 1e-12


def _as_pi(pi: ArrayLike) -> NDArray[np.float64]:
    p = np.asarray(pi, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"`pi` must be one-dimensional; got shape {p.shape}.")
    if p.size == 0:
        return p
    lo, hi = float(p.min()), float(p.max())
    if not (np.isfinite(lo) and np.isfinite(hi)):
        bad = int(np.flatnonzero(~np.isfinite(p))[0])
        raise ValueError(f"`pi` must be finite; got pi[{bad}] = {p[bad]}.")
    if lo < 0 or hi > 1:
        bad = int(np.argmin(p)) if lo < 0 else int(np.argmax(p))
        raise ValueError(f"`pi` must be in [0, 1]; got pi[{bad}] = {p[bad]}.")
    return p


def _as_strata(strata: ArrayLike | None, size: int) -> tuple[NDArray[np.intp], int]:
    if strata is None:
        return np.zeros(size, dtype=np.intp), 1
    s = np.asarray(strata)
    if s.shape != (size,):
        raise ValueError(f"`strata` must have the shape of `pi` ({size},); got {s.shape}.")
    if s.dtype.kind in "iu":
        if size and s.min() < 0:
            raise ValueError(f"`strata` labels must be >= 0; got {s.min()}.")
        top = int(s.max()) + 1 if size else 0
        if top <= 2 * size + 1024:  # dense labels: use them as they are
            return s.astype(np.intp, copy=False), top
    # Arbitrary labels: code them in sorted label order (slower; pass ints in hot loops).
    _, codes = np.unique(s, return_inverse=True)
    return codes.astype(np.intp), (int(codes.max()) + 1 if size else 0)


def round_stratum_sizes(
    expected: NDArray[np.float64], capacity: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Unbiased joint rounding of expected stratum sizes.

    Each result is ``floor(e_h)`` or ``ceil(e_h)`` with ``P(ceil) = frac(e_h)``
    and the total is ``floor`` or ``ceil`` of ``sum(e)`` (fixed when integer):
    systematic sampling, with one uniform start, over the fractional parts laid
    end to end in a random order.
    """
    base = np.floor(expected + _ONE_TOL)
    frac = np.clip(expected - base, 0.0, 1.0)
    frac[frac < _ONE_TOL] = 0.0
    order = rng.permutation(len(expected))
    ends = np.cumsum(frac[order])
    starts = ends - frac[order]
    start = rng.random()
    # Points start, start+1, ... ; a stratum is rounded up if one lands in [starts, ends).
    hit = (np.ceil(ends - start - _ONE_TOL) - np.ceil(starts - start - _ONE_TOL)) > 0
    up = np.zeros(len(expected), dtype=bool)
    up[order] = hit & (frac[order] > 0)
    sizes = base.astype(np.int64) + up
    return np.minimum(sizes, capacity)


_CUT_SIGMAS = 8.0
_CUT_SLACK = 32.0
"""Candidate cut of a stratum: m + 8 sqrt(m) + 32 expected keys (a shortfall is ~1e-15 likely)."""

_CHUNK = 1 << 16
"""Units per pass step: the per-unit lookups then stay in cache (about 2x faster at 10M)."""


def _uniform_keys(rng: np.random.Generator, size: int) -> NDArray[np.uint16]:
    """``size`` independent uniform 16-bit keys straight from the bit generator.

    Four keys per 64-bit word: a quarter of the random bits and memory of
    ``rng.random``. Ties are frequent in big strata, but only ties at a
    stratum's cut-off matter and ``_smallest`` breaks those at random, which
    is the same as refining the keys with more random bits: exactness does
    not rest on the absence of ties. The stream does not depend on chunking
    because chunk sizes are multiples of 4.
    """
    raw = rng.bit_generator.random_raw((size + 3) // 4)
    return np.asarray(raw, dtype=np.uint64).view(np.uint16)[:size]


def _smallest(keys: NDArray[np.uint16], m: int, rng: np.random.Generator) -> NDArray[np.intp]:
    """Positions of the ``m`` smallest keys, ties at the cut-off broken at random."""
    if m >= keys.size:
        return np.arange(keys.size)
    kth = np.partition(keys, m - 1)[m - 1]
    below = np.flatnonzero(keys < kth)
    tied = np.flatnonzero(keys == kth)
    need = m - below.size
    if tied.size > need:
        tied = np.sort(rng.choice(tied, size=need, replace=False))
    return np.concatenate([below, tied])


def _constant_within(
    p: NDArray[np.float64], codes: NDArray[np.intp], n_strata: int
) -> tuple[NDArray[np.int64], NDArray[np.float64] | None]:
    """Stratum sizes, and the common ``pi`` per stratum if ``p`` is constant in each."""
    pi_h = np.full(n_strata, np.nan)
    step = max(1, p.size // 4096)  # a strided look usually meets every stratum
    pi_h[codes[::step]] = p[::step]
    counts = np.zeros(n_strata, dtype=np.int64)
    constant = True
    for lo in range(0, p.size, _CHUNK):
        chunk = codes[lo : lo + _CHUNK]
        counts += np.bincount(chunk, minlength=n_strata)
        if constant and not np.array_equal(p[lo : lo + _CHUNK], pi_h.take(chunk)):
            constant = False
    return counts, (pi_h if constant else None)


def _srs_strata(
    pi_h: NDArray[np.float64],
    counts: NDArray[np.int64],
    codes: NDArray[np.intp],
    rng: np.random.Generator,
) -> NDArray[np.intp]:
    """Stratified SRS with jointly rounded sizes; ``pi`` constant per stratum."""
    sizes = round_stratum_sizes(pi_h * counts, counts, rng)
    # Only keys at or below a per-stratum cut are kept: the cut leaves, with
    # overwhelming probability, at least m_h candidates; a stratum that falls
    # short is redone on all its keys, so the result is always exactly "the
    # m_h smallest keys of the stratum", whatever the cut.
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            counts > 0, (sizes + _CUT_SIGMAS * np.sqrt(sizes) + _CUT_SLACK) / counts, 0.0
        )
    cut = np.clip(share * 2.0**16, 0.0, 2.0**16 - 1).astype(np.uint16)
    cut[sizes == 0] = 0
    cut[sizes >= counts] = np.iinfo(np.uint16).max
    found, found_keys = [], []
    for lo in range(0, codes.size, _CHUNK):
        chunk = codes[lo : lo + _CHUNK]
        keys = _uniform_keys(rng, chunk.size)
        hit = np.flatnonzero(keys <= cut.take(chunk))
        found.append(hit + lo)
        found_keys.append(keys.take(hit))
    cand = np.concatenate(found)
    cand_keys = np.concatenate(found_keys)
    cand_codes = codes.take(cand)
    small = cand_codes.astype(np.int16) if sizes.size < 2**15 else cand_codes
    order = np.argsort(small, kind="stable")  # a radix sort for int16
    cand, cand_keys = cand.take(order), cand_keys.take(order)
    bounds = np.searchsorted(cand_codes.take(order), np.arange(sizes.size + 1))
    chosen = []
    for h in np.flatnonzero(sizes):
        m = int(sizes[h])
        lo, hi = bounds[h], bounds[h + 1]
        members, member_keys = cand[lo:hi], cand_keys[lo:hi]
        if members.size < m:  # the cut was too low here: take all the stratum's keys
            members = np.flatnonzero(codes == h)
            member_keys = _uniform_keys(rng, members.size)  # a fresh SRS is as valid
        chosen.append(members[_smallest(member_keys, m, rng)])
    if not chosen:
        return np.zeros(0, dtype=np.intp)
    out = np.concatenate(chosen)
    out.sort()
    return out


def _systematic(
    pi: NDArray[np.float64], codes: NDArray[np.intp], n_strata: int, rng: np.random.Generator
) -> NDArray[np.intp]:
    """Randomized systematic pi-ps; strata contiguous, in random order."""
    certain = np.flatnonzero(pi >= 1.0)
    open_ = np.flatnonzero((pi > 0) & (pi < 1.0))
    if open_.size == 0:
        return certain
    perm = open_.take(rng.permutation(open_.size))
    if n_strata > 1:
        rank = rng.permutation(n_strata)
        if n_strata < 2**15:
            rank = rank.astype(np.int16)
        perm = perm.take(np.argsort(rank.take(codes.take(perm)), kind="stable"))
    ends = np.cumsum(pi.take(perm))
    start = rng.random()
    hits = np.ceil(ends - start - _ONE_TOL)
    chosen_mask = np.diff(hits, prepend=np.ceil(-start - _ONE_TOL)) > 0
    chosen = np.concatenate([certain, perm[chosen_mask]])
    chosen.sort()
    return chosen


def draw_sample(pi: ArrayLike, *, rng: Any, strata: ArrayLike | None = None) -> NDArray[np.intp]:
    """Select units so that unit ``i`` is in the sample with probability ``pi[i]``.

    Parameters
    ----------
    pi
        Inclusion probabilities in [0, 1].
    rng
        ``numpy.random.Generator``, seed, or ``None``.
    strata
        Optional stratum label per unit (non-negative ints are fastest). Each
        stratum's sample size is then ``floor`` or ``ceil`` of its ``sum(pi)``.
        If ``pi`` is constant within every stratum the fast stratified-SRS
        design is used, otherwise randomized systematic pi-ps.

    Returns
    -------
    numpy.ndarray
        Sorted indices of the selected units; its length is ``sum(pi)`` when
        that is an integer (and ``floor``/``ceil`` of it otherwise).
    """
    rng = np.random.default_rng(rng)
    p = np.asarray(pi, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"`pi` must be one-dimensional; got shape {p.shape}.")
    codes, n_strata = _as_strata(strata, p.size)
    if p.size == 0:
        return np.zeros(0, dtype=np.intp)
    counts, pi_h = _constant_within(p, codes, n_strata)
    if pi_h is not None:
        # Constant within strata: validating one value per stratum validates all
        # (on failure, validate every unit so the message names the unit).
        try:
            _as_pi(pi_h[counts > 0])
        except ValueError:
            _as_pi(p)
        return _srs_strata(np.nan_to_num(pi_h), counts, codes, rng)
    return _systematic(_as_pi(p), codes, n_strata, rng)
