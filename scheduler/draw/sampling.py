"""The sampling core: exact inclusion probabilities, fixed sample size.

Stable public API (SPEC section 5)::

    inclusion_probabilities(weights, n) -> ndarray
    draw_sample(pi, *, rng, strata=None) -> ndarray of selected indices

Every unit ``i`` is selected with probability exactly ``pi[i]`` (up to
floating-point rounding of the inputs), units with ``pi == 1`` always, units
with ``pi == 0`` never; the sample size is fixed when ``sum(pi)`` is an
integer, and otherwise ``floor`` or ``ceil`` of it. Sequential draws such as
``Generator.choice(p=..., replace=False)`` do not have these properties.

Two designs, chosen automatically (see ``docs/draw.md`` for the reasoning):

* **Stratified SRS** (fast path) when ``pi`` is constant within every stratum
  (per-tier rates stratified by region x tier, or budget weights per tier).
  Stratum sizes ``m_h`` are rounded *jointly*: the fractional parts of
  ``N_h * pi_h`` are laid end to end **in stratum-code order** and hit by a
  systematic comb with one uniform start, so each ``m_h`` is ``floor`` or
  ``ceil`` of its expectation with exactly the right probability, the total
  is fixed, and so is the total of any run of consecutive codes (a district,
  with region-major codes region x n_tiers + tier) up to floor/ceil.
  Within a stratum the ``m_h`` units with the smallest uniform 16-bit keys
  are taken (a uniformly random subset; ties at the cut refined with fresh
  words); only keys below a generous per-stratum cut are looked at. Frames of
  64k units or more with integer labels are read in one compiled pass
  (``scheduler.draw.sampling_scan``, numba) that selects the very same units.
* **Randomized systematic pi-ps** (general path) for unequal ``pi`` within a
  stratum (continuous risk weights): units in random order within their
  stratum, strata contiguous in code order, one systematic comb over
  cumulative ``pi``. Exact first-order probabilities and fixed size;
  second-order probabilities are all positive in practice and are
  approximated by Hartley-Rao.

Randomness (algorithm version 2): only the bit generator's raw 64-bit words
(``random_raw``; an int seed means ``PCG64(SeedSequence(seed))``), converted by
this module's own code in a documented order, so a numpy upgrade cannot change
which units a seed selects (known-answer tests guard it). Version 1 is frozen
in ``scheduler.draw.sampling_v1`` for verifying old draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scheduler.draw import sampling_scan

__all__ = ["inclusion_probabilities", "draw_sample", "round_stratum_sizes", "ALGORITHM_VERSION"]

ALGORITHM_VERSION = "2"
"""Bumped whenever a change could alter which units a given seed selects."""

_ONE_TOL = 1e-12


def _as_weights(weights: ArrayLike) -> NDArray[np.float64]:
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"`weights` must be one-dimensional; got shape {w.shape}.")
    if not np.all(np.isfinite(w)):
        bad = int(np.flatnonzero(~np.isfinite(w))[0])
        raise ValueError(f"`weights` must be finite; got weights[{bad}] = {w[bad]}.")
    if w.size and w.min() < 0:
        bad = int(np.argmin(w))
        raise ValueError(f"`weights` must be >= 0; got weights[{bad}] = {w[bad]}.")
    return w


def inclusion_probabilities(weights: ArrayLike, n: float) -> NDArray[np.float64]:
    """Probabilities proportional to ``weights``, capped at 1, summing to ``n``.

    ``pi_i = min(1, c * w_i)`` with ``c`` chosen so that ``sum(pi) == n``: the
    iterative capping of R ``sampling::inclusionprobabilities``, solved in one
    sort. Units with weight 0 get probability 0 (and are never drawn).

    Parameters
    ----------
    weights
        Non-negative finite weights, one per unit.
    n
        Expected sample size, ``0 <= n <= number of positive weights``.

    Returns
    -------
    numpy.ndarray
        ``pi`` with ``0 <= pi <= 1``, ``sum(pi) == n`` up to rounding, and
        non-decreasing in the weight.
    """
    w = _as_weights(weights)
    try:
        n = float(n)
    except (TypeError, ValueError):
        raise ValueError(f"`n` must be a number; got {n!r}.") from None
    positive = int(np.count_nonzero(w))
    if not np.isfinite(n) or n < 0:
        raise ValueError(f"`n` must be a finite number >= 0; got {n}.")
    if n > positive:
        raise ValueError(
            f"`n` must not exceed the number of units with positive weight ({positive}); got {n}."
        )
    pi = np.zeros_like(w)
    if n == 0:
        return pi
    if n == positive:
        pi[w > 0] = 1.0
        return pi
    # Sort weights descending; with k units capped, c_k = (n - k) / S_k where
    # S_k is the sum of the remaining weights. The answer is the smallest k
    # whose largest uncapped unit stays at or below 1: (n - k) w_(k) <= S_k.
    sorted_w = np.sort(w)[::-1][:positive]
    tail = np.cumsum(sorted_w[::-1])[::-1]  # tail[k] = sum(sorted_w[k:])
    k_max = min(int(np.floor(n)), positive - 1)
    ks = np.arange(k_max + 1)
    ok = (n - ks) * sorted_w[: k_max + 1] <= tail[: k_max + 1] * (1 + 1e-15)
    k = int(np.argmax(ok)) if ok.any() else k_max
    # (n - k) * (w / S_k), not c * w: c overflows when the weights are subnormal.
    with np.errstate(over="ignore", divide="ignore"):  # capped units may reach inf: min -> 1
        pi = np.minimum(1.0, (n - k) * (w / tail[k]))
    pi[pi >= 1.0 - _ONE_TOL] = 1.0
    capped: NDArray[np.float64] = pi
    return capped


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
        lo, hi = _label_range(s)
        if lo < 0:
            raise ValueError(f"`strata` labels must be >= 0; got {lo}.")
        top = hi + 1 if size else 0
        if top <= 2 * size + 1024:  # dense labels: use them as they are
            return s.astype(np.intp, copy=False), top
    # Arbitrary labels: code them in sorted label order (slower; pass ints in hot loops).
    _, codes = np.unique(s, return_inverse=True)
    return codes.astype(np.intp), (int(codes.max()) + 1 if size else 0)


def _label_range(s: NDArray[np.integer]) -> tuple[int, int]:
    """Smallest and largest integer label (0, 0 when there are none)."""
    if not s.size:
        return 0, 0
    return int(s.min()), int(s.max())


def _compiled_labels(strata: ArrayLike | None, size: int) -> NDArray[np.intp] | None:
    """Integer labels as ``intp`` when the compiled pass can take them, else ``None``.

    ``None`` strata (one stratum) qualify too; the pass itself checks the range
    and hands anything unusual back to ``_as_strata`` (codes or refusals).
    """
    if not sampling_scan.available(size):
        return None
    if strata is None:
        return np.zeros(size, dtype=np.intp)
    s = np.asarray(strata)
    if s.shape != (size,) or s.dtype.kind not in "iu":
        return None
    return s.astype(np.intp, copy=False)


def _bits(rng: Any) -> np.random.BitGenerator:
    """The bit generator the draw reads: a Generator's own, else PCG64 seeded by ``rng``.

    An int, ``SeedSequence`` or ``None`` gives ``PCG64(SeedSequence(rng))``
    explicitly, not whatever ``default_rng`` may choose in a later numpy.
    """
    if isinstance(rng, np.random.Generator):
        return rng.bit_generator
    if isinstance(rng, np.random.BitGenerator):
        return rng
    return np.random.PCG64(rng)


def _words(bits: np.random.BitGenerator, size: int) -> NDArray[np.uint64]:
    """``size`` raw 64-bit outputs: the only random input of a version-2 draw."""
    return np.asarray(bits.random_raw(size), dtype=np.uint64).reshape(size)


def _uniform(bits: np.random.BitGenerator) -> float:
    """One uniform in [0, 1): the top 53 bits of one raw word, times 2**-53."""
    return float(int(_words(bits, 1)[0]) >> 11) * 2.0**-53


def _uniform_keys(bits: np.random.BitGenerator, size: int) -> NDArray[np.uint16]:
    """``size`` uniform 16-bit keys, four per raw word, least significant lane first.

    A quarter of the random bits and memory of ``rng.random``. The lanes are
    read little-endian whatever the platform, so a big-endian machine gives
    the same keys. Ties are frequent in big strata; only those at a stratum's
    cut-off matter and ``_smallest`` breaks them with fresh raw words, which
    is the same as refining every key with more random bits.
    """
    raw = _words(bits, (size + 3) // 4).astype("<u8", copy=False)
    return raw.view("<u2")[:size]


def _random_subset(size: int, need: int, bits: np.random.BitGenerator) -> NDArray[np.intp]:
    """A uniformly random ``need``-subset of ``range(size)``, sorted: smallest of fresh words."""
    if need >= size:
        return np.arange(size)
    words = _words(bits, size)
    kth = np.partition(words, need - 1)[need - 1]
    below = np.flatnonzero(words < kth)
    tied = np.flatnonzero(words == kth)
    rest = need - below.size
    if tied.size > rest:  # a 64-bit tie at the cut: refine again (about 2**-64 likely)
        tied = tied[_random_subset(tied.size, rest, bits)]
    return np.sort(np.concatenate([below, tied]))


def round_stratum_sizes(
    expected: NDArray[np.float64], capacity: NDArray[np.int64], rng: Any
) -> NDArray[np.int64]:
    """Unbiased joint rounding of expected stratum sizes, in stratum-code order.

    Each result is ``floor(e_h)`` or ``ceil(e_h)`` with ``P(ceil) = frac(e_h)``,
    and the total is ``floor`` or ``ceil`` of ``sum(e)`` (fixed when integer):
    one systematic comb, with one uniform start, over the fractional parts laid
    end to end *in code order*. So any run of consecutive codes gets ``floor``
    or ``ceil`` of its own expected total: with region-major codes
    (region x number of tiers + tier) every district keeps its total.
    ``rng`` is a Generator, BitGenerator or seed; one raw word is read.
    """
    return _round_sizes(np.asarray(expected, dtype=np.float64), capacity, _uniform(_bits(rng)))


def _round_sizes(
    expected: NDArray[np.float64], capacity: NDArray[np.int64], start: float
) -> NDArray[np.int64]:
    base = np.floor(expected + _ONE_TOL)
    frac = np.clip(expected - base, 0.0, 1.0)
    frac[frac < _ONE_TOL] = 0.0
    ends = np.cumsum(frac)
    starts = ends - frac
    # Points start, start+1, ... ; a stratum is rounded up if one lands in [starts, ends).
    hit = (np.ceil(ends - start - _ONE_TOL) - np.ceil(starts - start - _ONE_TOL)) > 0
    sizes = base.astype(np.int64) + (hit & (frac > 0))
    return np.minimum(sizes, capacity)


_CUT_SIGMAS = 8.0
_CUT_SLACK = 32.0
"""Candidate cut of a stratum: m + 8 sqrt(m) + 32 expected keys, with the stratum's size
under-estimated from a strided look. A stratum left short is redone from all its keys,
so the cut changes the speed only, never the result."""

_CHUNK = 1 << 16
"""Units per pass step: the per-unit lookups then stay in cache."""


def _first_pass(
    p: NDArray[np.float64],
    codes: NDArray[np.intp],
    n_strata: int,
    keys: NDArray[np.uint16],
) -> tuple[NDArray[np.int64], NDArray[np.float64] | None, NDArray[np.intp]]:
    """One pass: stratum sizes, the per-stratum ``pi`` if constant, and the candidates.

    Candidates are the units whose key is at or below their stratum's cut, a
    generous bound on the ``m_h``-th smallest key (a speed-up only).
    """
    step = max(1, p.size // 4096)  # a strided look usually meets every stratum
    pi_h = np.full(n_strata, np.nan)
    pi_h[codes[::step]] = p[::step]
    seen = np.bincount(codes[::step], minlength=n_strata)
    cut = _cut(pi_h, seen, step)
    counts = np.zeros(n_strata, dtype=np.int64)
    constant = True
    found = []
    for lo in range(0, p.size, _CHUNK):
        chunk = codes[lo : lo + _CHUNK]
        counts += np.bincount(chunk, minlength=n_strata)
        if not constant:
            continue
        if not np.array_equal(p[lo : lo + _CHUNK], pi_h.take(chunk)):
            constant = _learn(p[lo : lo + _CHUNK], chunk, pi_h)
            cut = _cut(pi_h, seen, step)
        found.append(np.flatnonzero(keys[lo : lo + _CHUNK] <= cut.take(chunk)) + lo)
    if not constant:
        return counts, None, np.zeros(0, dtype=np.intp)
    return counts, pi_h, np.concatenate(found)


def _cut(pi_h: NDArray[np.float64], seen: NDArray[np.int64], step: int) -> NDArray[np.uint16]:
    """Per-stratum key cut; strata not seen yet (small or unknown) keep every key."""
    low = np.maximum(seen - 3.0 * np.sqrt(seen), 1.0) * step  # a lower bound on N_h
    m = np.fmax(pi_h * low, 0.0)  # fmax/fmin pass NaN over (no errstate: it is slow)
    share = pi_h + (_CUT_SIGMAS * np.sqrt(m) + _CUT_SLACK) / low
    cut = np.fmax(np.fmin(share * 2.0**16, 2.0**16 - 1), 0.0)  # NaN (not seen): every key
    cut[pi_h <= 0] = 0
    cuts: NDArray[np.uint16] = cut.astype(np.uint16)
    return cuts


def _learn(p: NDArray[np.float64], chunk: NDArray[np.intp], pi_h: NDArray[np.float64]) -> bool:
    """Fill strata the strided look missed; ``False`` if ``pi`` varies within a stratum."""
    unseen = np.isnan(pi_h)
    if unseen.any():
        first = np.unique(chunk[unseen.take(chunk)], return_index=True)
        codes_new, at = first
        pos = np.flatnonzero(unseen.take(chunk))[at]
        pi_h[codes_new] = p[pos]
    return bool(np.array_equal(p, pi_h.take(chunk)))


def _srs_strata(
    sizes: NDArray[np.int64],
    codes: NDArray[np.intp],
    keys: NDArray[np.uint16],
    cand: NDArray[np.intp],
    bits: np.random.BitGenerator,
) -> NDArray[np.intp]:
    """In every stratum the ``m_h`` units with the smallest keys, ties at the cut refined.

    The candidates are sorted by (stratum, key, unit) in one sort of packed
    64-bit words; the first ``m_h`` of each stratum are taken. Where the
    ``m_h``-th key ties with the next, the tied units of that stratum each get
    one fresh raw word (in that sorted order) and the smallest words win.
    """
    n_strata = sizes.size
    cand_codes = codes.take(cand)
    short = np.bincount(cand_codes, minlength=n_strata) < sizes
    if short.any():  # the cut was too low there: take every key of those strata
        keep = ~short.take(cand_codes)
        cand = np.sort(np.concatenate([cand[keep], np.flatnonzero(short.take(codes))]))
        cand_codes = codes.take(cand)
    group = (cand_codes.astype(np.uint64) << np.uint64(16)) | keys.take(cand)
    if codes.size < 2**32 and n_strata < 2**16:
        packed = (group << np.uint64(32)) | cand.astype(np.uint64)
        packed.sort()
        cand = (packed & np.uint64(0xFFFFFFFF)).astype(np.intp)
        group = packed >> np.uint64(32)
    else:
        order = np.lexsort((cand, group))
        cand, group = cand.take(order), group.take(order)
    bounds = np.searchsorted(group, np.arange(n_strata + 1, dtype=np.uint64) << np.uint64(16))
    hs = np.flatnonzero(sizes)
    lo, m = bounds[hs], sizes[hs]
    last = lo + m - 1  # the m-th smallest key of each stratum
    mask = np.zeros(cand.size, dtype=bool)
    mask[np.repeat(lo - (np.cumsum(m) - m), m) + np.arange(int(m.sum()))] = True
    kth = group.take(last)
    g_lo = np.searchsorted(group, kth, "left")
    g_hi = np.searchsorted(group, kth, "right")
    tied = np.flatnonzero(g_hi > last + 1)
    if tied.size:
        g_lo, lengths = g_lo[tied], g_hi[tied] - g_lo[tied]
        offsets = np.cumsum(lengths) - lengths
        members = np.repeat(g_lo - offsets, lengths) + np.arange(int(lengths.sum()))
        _break_ties(mask, members, lengths, last[tied] + 1 - g_lo, bits)
    out = cand[mask]
    out.sort()
    return out


def _break_ties(
    mask: NDArray[np.bool_],
    members: NDArray[np.intp],
    lengths: NDArray[np.intp],
    need: NDArray[np.intp],
    bits: np.random.BitGenerator,
    words: NDArray[np.uint64] | None = None,
) -> None:
    """Keep a uniformly random ``need[g]`` of each tied group (``members`` of ``mask``).

    ``members`` lists the groups one after another (stratum order), each in
    unit order; every member gets one fresh raw word in that order (``words``
    if already read), and the smallest words win.
    """
    offsets = np.cumsum(lengths) - lengths
    if words is None:
        words = _words(bits, members.size)
    gid = np.repeat(np.arange(lengths.size), lengths)
    order = np.lexsort((words, gid))  # by group, then word
    rank = np.arange(members.size) - np.repeat(offsets, lengths)
    mask[members] = False
    mask[members[order[rank < np.repeat(need, lengths)]]] = True
    sorted_words = words[order]
    boundary = offsets + need - 1
    for g in np.flatnonzero(sorted_words[boundary] == sorted_words[boundary + 1]):
        # a 64-bit tie at the cut (about 2**-64 likely): refine that group again
        group = members[offsets[g] : offsets[g] + lengths[g]]
        mask[group] = False
        mask[group[_random_subset(int(lengths[g]), int(need[g]), bits)]] = True


def _order_within_strata(codes: NDArray[np.intp], words: NDArray[np.uint64]) -> NDArray[np.intp]:
    """Positions sorted by stratum code, then by random word (ties: by position).

    One sort of packed 64-bit integers: code in the top bits, then the top
    bits of the word, then the position (about 10x faster than ``lexsort``).
    With 1M units and 48 strata 38 random bits remain, so a tie (kept in
    position order) is about 1e-3 likely per draw; nothing exact rests on the
    order (the systematic comb is exact for any order).
    """
    n = codes.size
    pos_bits = max(1, int(n - 1).bit_length())
    code_bits = max(1, int(codes.max()).bit_length()) if n else 1
    rand_bits = 64 - pos_bits - code_bits
    if rand_bits < 16:  # too many units or strata to pack: sort on full words
        return np.lexsort((words, codes))
    packed = (codes.astype(np.uint64) << np.uint64(64 - code_bits)) | (
        (words >> np.uint64(64 - rand_bits)) << np.uint64(pos_bits)
    )
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    return (packed & np.uint64((1 << pos_bits) - 1)).astype(np.intp)


def _systematic(
    pi: NDArray[np.float64], codes: NDArray[np.intp], start: float, bits: np.random.BitGenerator
) -> NDArray[np.intp]:
    """Randomized systematic pi-ps: strata in code order, units in random order within."""
    certain = np.flatnonzero(pi >= 1.0)
    open_ = np.flatnonzero((pi > 0) & (pi < 1.0))
    if open_.size == 0:
        return certain
    perm = open_.take(_order_within_strata(codes.take(open_), _words(bits, open_.size)))
    ends = np.cumsum(pi.take(perm))
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
        ``numpy.random.Generator``, seed, or ``None``. Only the bit
        generator's raw output is read (``random_raw``); an int seed means
        ``PCG64(SeedSequence(seed))``, whose stream numpy keeps stable.
    strata
        Optional stratum label per unit (non-negative ints are fastest; other
        labels are coded in sorted order). Each stratum's sample size is then
        ``floor`` or ``ceil`` of its ``sum(pi)``, and so is the total of any
        run of consecutive codes (a district, with region-major codes). If
        ``pi`` is constant within every stratum the fast stratified-SRS design
        is used, otherwise randomized systematic pi-ps.

    Returns
    -------
    numpy.ndarray
        Sorted indices of the selected units; its length is ``sum(pi)`` when
        that is an integer (and ``floor``/``ceil`` of it otherwise).
    """
    bits = _bits(rng)
    p = np.asarray(pi, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"`pi` must be one-dimensional; got shape {p.shape}.")
    labels = _compiled_labels(strata, p.size)
    if labels is None:
        codes, n_strata = _as_strata(strata, p.size)
        if p.size == 0:
            return np.zeros(0, dtype=np.intp)
    start = _uniform(bits)  # word 0: the comb's start (SRS) or the systematic start
    after_start = bits.state
    keys = _uniform_keys(bits, p.size)  # words 1 ..: four keys each (SRS path)
    found = None if labels is None else sampling_scan.scan(p, labels, keys, _cut)
    cand: NDArray[np.int32] | NDArray[np.intp]  # int32 from the compiled pass
    if found is not None and labels is not None:  # large frame, dense labels: one compiled pass
        codes, (counts, pi_h, cand) = labels, found[:3]
    else:
        if labels is not None:  # labels to code (or to refuse)
            codes, n_strata = _as_strata(strata, p.size)
        counts, pi_h, cand = _first_pass(p, codes, n_strata, keys)
    if pi_h is None:
        bits.state = after_start  # the systematic path reads its own words from word 1
        return _systematic(_as_pi(p), codes, start, bits)
    # Constant within strata: validating one value per stratum validates all
    # (on failure, validate every unit so the message names the unit).
    try:
        _as_pi(pi_h[counts > 0])
    except ValueError:
        _as_pi(p)
    sizes = _round_sizes(np.nan_to_num(pi_h) * counts, counts, start)
    if found is not None:
        chosen = sampling_scan.select(found, sizes)
        if chosen is not None:  # else a stratum fell short of its cut: the numpy code
            mask, members, lengths, need = chosen
            words = _words(bits, members.size)  # one per tied unit, as in _break_ties
            out = sampling_scan.finish(cand, mask, members, lengths, need, words)
            if out is not None:
                return out
            _break_ties(mask, members, lengths, need, bits, words)  # a 64-bit tie: refine
            return cand[mask].astype(np.intp)
    return _srs_strata(sizes, codes, keys, cand.astype(np.intp, copy=False), bits)
