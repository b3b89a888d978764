"""Compiled single passes over a large frame for the stratified draw (optional numba).

Why: the stratified-SRS draw must read every unit once to count strata, to
check that ``pi`` is constant within each, and to keep the units whose key is
below their stratum's cut. In numpy that is about ten array passes with
per-unit gathers (~5 ms for 1M units); one compiled loop does it in about one
memory pass. The loops decide nothing about *which* units are selected: they
return the same counts and a candidate superset as the numpy code in
``scheduler.sampling``, and the selection is made from those by the same code
either way (tests compare both paths unit for unit).

numba is imported lazily, only for frames of at least ``MIN_UNITS`` units, so
small draws and start-up pay nothing; without numba the numpy code runs.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray

MIN_UNITS = 1 << 16
"""Frames smaller than this use the numpy code (compiling or loading the loops costs more)."""


@functools.cache
def _kernels() -> Any:
    """The compiled loops, or ``None`` when numba is not installed."""
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency; numpy still works
        return None

    @numba.njit(cache=True, nogil=True)
    def code_range(codes):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
        lo = hi = codes[0]
        for c in codes:
            lo = min(lo, c)
            hi = max(hi, c)
        return lo, hi

    @numba.njit(cache=True, nogil=True)
    def scan(p, codes, keys, cut, known, counts, pi_h, cand):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
        # No early exit and unsigned indices: the loop then runs about twice as fast.
        k = 0
        varies = 0
        for i in range(p.size):
            c = np.uint64(codes[i])
            if p[i] != pi_h[c]:  # rare: a stratum the strided look missed, or pi varies
                if known[c]:
                    varies += 1
                else:
                    known[c] = True
                    pi_h[c] = p[i]
            counts[c] += 1
            cand[k] = i
            k += keys[i] <= cut[c]
        return -1 if varies else k

    @numba.njit(cache=True, nogil=True)
    def select(cand, codes, keys, sizes):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
        # The m-th smallest key of each stratum from two 256-bin histograms
        # (high byte, then low byte within the m-th's high byte): no sort.
        n_strata = sizes.size
        m = cand.size
        cc = np.empty(m, dtype=np.intp)
        kk = np.empty(m, dtype=np.intp)
        hist = np.zeros((n_strata, 256), dtype=np.intp)
        for j in range(m):
            i = np.uint64(cand[j])
            c = np.uint64(codes[i])
            key = np.intp(keys[i])
            cc[j] = c
            kk[j] = key
            hist[c, key >> 8] += 1
        top = np.full(n_strata, -1, dtype=np.intp)
        below = np.zeros(n_strata, dtype=np.intp)
        for h in range(n_strata):
            if sizes[h] == 0:
                continue
            acc = 0
            for b in range(256):
                if acc + hist[h, b] >= sizes[h]:
                    top[h] = b
                    break
                acc += hist[h, b]
            if top[h] < 0:  # fewer candidates than places: the cut fell short
                return None
            below[h] = acc
        hist[:] = 0
        for j in range(m):
            c = np.uint64(cc[j])
            if kk[j] >> 8 == top[c]:
                hist[c, kk[j] & 255] += 1
        kth = np.full(n_strata, -1, dtype=np.intp)
        equal = np.zeros(n_strata, dtype=np.intp)
        for h in range(n_strata):
            if sizes[h] == 0:
                continue
            acc = below[h]
            for b in range(256):
                if acc + hist[h, b] >= sizes[h]:
                    kth[h] = top[h] << 8 | b
                    equal[h] = hist[h, b]
                    break
                acc += hist[h, b]
            below[h] = acc
        tied = below + equal > sizes  # more units at the m-th key than places left
        lengths = np.where(tied, equal, 0)
        starts = np.zeros(n_strata, dtype=np.intp)
        for h in range(1, n_strata):
            starts[h] = starts[h - 1] + lengths[h - 1]
        members = np.empty(lengths.sum(), dtype=np.intp)
        mask = np.empty(m, dtype=np.bool_)
        for j in range(m):
            c = np.uint64(cc[j])
            t = kth[c]
            mask[j] = kk[j] < t or (kk[j] == t and not tied[c])
            if kk[j] == t and tied[c]:
                members[starts[c]] = j
                starts[c] += 1
        return mask, members, lengths[tied], (sizes - below)[tied]

    return SimpleNamespace(code_range=code_range, scan=scan, select=select)


def available(size: int) -> bool:
    """Whether a frame of ``size`` units goes through the compiled loops."""
    return size >= MIN_UNITS and _kernels() is not None


def code_range(codes: NDArray[np.integer]) -> tuple[int, int]:
    """Smallest and largest label of a non-empty integer label array, in one pass."""
    lo, hi = _kernels().code_range(codes)
    return int(lo), int(hi)


def first_pass(
    p: NDArray[np.float64],
    codes: NDArray[np.intp],
    n_strata: int,
    keys: NDArray[np.uint16],
    cut: NDArray[np.uint16],
) -> tuple[NDArray[np.int64], NDArray[np.float64] | None, NDArray[np.intp]]:
    """Stratum sizes, the per-stratum ``pi`` if constant (else ``None``), the candidates.

    Candidates are the units (ascending) whose key is at or below their
    stratum's ``cut``. Strata without units keep ``pi`` NaN.
    """
    step = max(1, p.size // 4096)  # a strided look meets every stratum but the smallest
    pi_h = np.full(n_strata, np.nan)
    pi_h[codes[::step]] = p[::step]
    known = np.zeros(n_strata, dtype=np.bool_)
    known[codes[::step]] = True
    counts = np.zeros(n_strata, dtype=np.int64)
    cand = np.empty(p.size, dtype=np.intp)  # only the pages written are touched
    found = _kernels().scan(p, codes, keys, cut, known, counts, pi_h, cand)
    if found < 0:
        return counts, None, cand[:0]
    return counts, pi_h, cand[:found]


def select(
    cand: NDArray[np.intp],
    codes: NDArray[np.intp],
    keys: NDArray[np.uint16],
    sizes: NDArray[np.int64],
) -> tuple[NDArray[np.bool_], NDArray[np.intp], NDArray[np.intp], NDArray[np.int64]] | None:
    """In each stratum the ``sizes[h]`` candidates with the smallest keys, without a sort.

    ``cand`` ascending. Returns the chosen mask over ``cand`` and, for the
    strata whose ``m``-th key ties with units that do not fit (in stratum
    order): their tied members (positions in ``cand``, ascending), the group
    lengths and how many of each to keep; ``None`` if a stratum has fewer
    candidates than places (the caller then takes every key of it).
    Chosen set and tie groups are those of the packed sort by (stratum, key, unit).
    """
    return _kernels().select(cand, codes, keys, sizes)
