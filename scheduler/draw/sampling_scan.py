"""Compiled loops (numba) for the stratified draw on large frames: same units, 2-3x faster.

Why: the stratified-SRS draw must read every unit once to count strata, to
check that ``pi`` is constant within each, and to keep the units whose key is
below their stratum's cut. In numpy that is about ten array passes with
per-unit gathers (~5 ms for 1M units); one compiled loop does it in about the
time of one ``rng.random`` pass. The choice among the candidates then needs
no sort: each stratum's ``m``-th smallest key comes from two 256-bin
histograms, and the tie-break reads the same raw words in the same order.
Nothing here changes *which* units are selected: ``scheduler.draw.sampling``'s
numpy code is the reference, and ``tests/unit_draw/test_sampling_scan.py`` compares the
two unit for unit (and the words read) on frames with ties everywhere,
short cuts, unseen strata and every kind of label.

numba is imported lazily, from the second draw of at least ``MIN_UNITS``
units in a process (or after ``warm_up()``), so small draws, start-up and a
one-shot CLI draw pay nothing; the loops are compiled once and cached on
disk by numba (``cache=True``). Without numba the numpy code runs.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

MIN_UNITS = 1 << 16
"""Frames smaller than this use the numpy code (compiling or loading the loops costs more)."""


@functools.cache
def _kernels() -> Any:  # noqa: C901  (numba loops, compiled together; not branching logic)
    """The compiled loops, or ``None`` when numba is not installed."""
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency; numpy still works
        return None

    @numba.njit(cache=True, nogil=True)
    def scan(p, codes, keys, cut, known, counts, pi_h, cand, cand_codes, cand_keys):  # type: ignore[no-untyped-def]
        # Branch-light on purpose (no early exit, unsigned indices, a clamp instead of
        # a range test, room for every unit): the loop then runs about twice as fast.
        outside = np.uint64(counts.size - 1)  # the last slot counts labels out of range
        k = 0
        varies = 0
        for i in range(p.size):
            c = min(np.uint64(codes[i]), outside)  # a negative label wraps to a huge one
            if p[i] != pi_h[c]:  # rare: a stratum not met yet (NaN), or pi varies
                if known[c]:
                    varies += 1
                else:
                    known[c] = True
                    pi_h[c] = p[i]
            counts[c] += 1
            cand[k] = i
            cand_codes[k] = c
            cand_keys[k] = keys[i]
            k += keys[i] <= cut[c]
        return k, varies

    @numba.njit(cache=True, nogil=True)
    def select(cc, kk, sizes):  # type: ignore[no-untyped-def]  # noqa: C901  (a numba loop)
        # The m-th smallest key of each stratum from two 256-bin histograms
        # (high byte, then low byte within the m-th's high byte): no sort.
        n_strata = sizes.size
        m = cc.size
        hist = np.zeros((n_strata, 256), dtype=np.int32)
        for j in range(m):
            hist[np.uint64(cc[j]), kk[j] >> 8] += 1
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
            at_t = kk[j] == t
            mask[j] = (kk[j] < t) | (at_t & ~tied[c])  # no short-circuit: no mispredictions
            if at_t & tied[c]:  # rare
                members[starts[c]] = j
                starts[c] += 1
        return mask, members, lengths[tied], (sizes - below)[tied]

    @numba.njit(cache=True, nogil=True)
    def finish(cand, mask, members, lengths, need, words):  # type: ignore[no-untyped-def]
        # Each tied group keeps its need smallest words (equal words: member order),
        # as the lexsort by (group, word) does; a 64-bit tie at the cut is left to numpy.
        at = 0
        for g in range(lengths.size):
            group = members[at : at + lengths[g]]
            w = words[at : at + lengths[g]]
            order = np.argsort(w, kind="mergesort")
            if w[order[need[g] - 1]] == w[order[need[g]]]:
                return None
            for r in range(lengths[g]):
                mask[group[order[r]]] = r < need[g]
            at += lengths[g]
        out = np.empty(mask.size + 1, dtype=np.intp)
        k = 0
        for j in range(mask.size):  # branch-free compaction: the branch mispredicts
            out[k] = cand[j]
            k += mask[j]
        return out[:k].copy()

    return SimpleNamespace(scan=scan, select=select, finish=finish)


_loaded = False
_first_skipped = False


def warm_up() -> bool:
    """Load the compiled loops now (numba import and its disk cache, about 1 s).

    For long-lived processes (dashboard, simulations) that want every large
    draw fast; ``True`` if numba is there.
    """
    global _loaded
    if _kernels() is None:
        return False
    if not _loaded:
        _loaded = True
        # a tiny draw with the real argument types loads (or compiles) every loop now
        found = scan(np.full(4, 0.5), np.zeros(4, np.intp), np.zeros(4, np.uint16), _keep_all)
        assert found is not None and found.pi_h is not None
        chosen = select(found, np.array([2], dtype=np.int64))
        assert chosen is not None
        finish(found.cand, *chosen, np.arange(chosen[1].size, dtype=np.uint64))
    return True


def _keep_all(
    pi_h: NDArray[np.float64], _seen: NDArray[np.int64], _step: int
) -> NDArray[np.uint16]:
    return np.full(pi_h.size, 65535, dtype=np.uint16)


def available(size: int) -> bool:
    """Whether a frame of ``size`` units goes through the compiled loops.

    The first large draw of a process runs in numpy and only later ones load
    numba: loading costs about 1 s, two hundred times what it saves on one
    1M-unit draw, so a one-shot ``scheduler draw`` never pays it.
    """
    global _first_skipped
    if size < max(MIN_UNITS, 1):
        return False
    if not _loaded and not _first_skipped:
        _first_skipped = True
        return False
    return warm_up()


_KEEP = 1 << 21
"""Candidate buffers up to this many entries (20 MB) are kept per thread and reused."""

_local = threading.local()


def _buffers(size: int) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.uint16]]:
    """Candidate, code and key buffers of ``size`` entries, reused within a thread.

    Why: fresh buffers are fresh pages, and faulting them in costs about a
    tenth of the pass. Whatever a draw returns is a new array, never a view of them.
    """
    if size > _KEEP:
        return np.empty(size, np.int32), np.empty(size, np.int32), np.empty(size, np.uint16)
    kept = getattr(_local, "buffers", None)
    if kept is None or kept[0].size < size:
        kept = np.empty(size, np.int32), np.empty(size, np.int32), np.empty(size, np.uint16)
        _local.buffers = kept
    return kept[0][:size], kept[1][:size], kept[2][:size]


class Scan(NamedTuple):
    """What one pass over the frame found (see ``scan``)."""

    counts: NDArray[np.int64]
    pi_h: NDArray[np.float64] | None
    cand: NDArray[np.int32]
    cand_codes: NDArray[np.int32]
    cand_keys: NDArray[np.uint16]


def scan(
    p: NDArray[np.float64],
    labels: NDArray[np.intp],
    keys: NDArray[np.uint16],
    cut: Callable[[NDArray[np.float64], NDArray[np.int64], int], NDArray[np.uint16]],
) -> Scan | None:
    """Stratum sizes, the per-stratum ``pi`` if constant (else ``None``), the candidates.

    ``labels`` are used as stratum codes when all lie in ``[0, 2 size + 1024)``
    (``None`` otherwise: the caller codes them or refuses them). Candidates
    are the units (ascending) whose key is at or below their stratum's cut,
    ``cut(pi_h, seen, step)`` of a strided look (strata it misses keep every
    key), with their codes and keys.
    """
    size = p.size
    if 2 * size + 1024 >= 2**31:  # the candidate buffers hold int32 units and codes
        return None
    step = max(1, size // 4096)  # a strided look meets every stratum but the smallest
    look = labels[::step].copy()  # read once: every element is a cache miss
    n_strata = int(look.max()) + 1
    if look.min() < 0 or n_strata > 2 * size + 1024:
        return None
    seen = np.bincount(look, minlength=n_strata)
    pi_h = np.full(n_strata, np.nan)
    pi_h[look] = p[::step]
    cuts = cut(pi_h, seen, step)
    for attempt in range(2):
        known = np.zeros(n_strata + 1, dtype=np.bool_)
        known[look] = True
        values = np.append(pi_h, np.nan)
        counts = np.zeros(n_strata + 1, dtype=np.int64)
        cand, cand_codes, cand_keys = _buffers(size)
        found, varies = _kernels().scan(
            p, labels, keys, np.append(cuts, 0), known, counts, values, cand, cand_codes, cand_keys
        )
        counts, values, known = counts[:-1], values[:-1], known[:-1]
        if counts.sum() < size:
            # a label above the strided look's: size the tables by the true range
            lo, hi = int(labels.min()), int(labels.max())
            if lo < 0 or hi >= 2 * size + 1024 or attempt:
                return None
            n_strata = hi + 1
            pi_h = np.resize(pi_h, n_strata)
            pi_h[seen.size :] = np.nan
            seen = np.bincount(look, minlength=n_strata)
            cuts = np.concatenate([cuts, np.full(n_strata - cuts.size, 65535, np.uint16)])
            continue
        if varies:
            return Scan(counts, None, cand[:0], cand_codes[:0], cand_keys[:0])
        values[~known] = np.nan
        return Scan(counts, values, cand[:found], cand_codes[:found], cand_keys[:found])
    raise AssertionError("unreachable: the second attempt has every label in range")


def select(
    found: Scan, sizes: NDArray[np.int64]
) -> tuple[NDArray[np.bool_], NDArray[np.intp], NDArray[np.intp], NDArray[np.int64]] | None:
    """In each stratum the ``sizes[h]`` candidates with the smallest keys, without a sort.

    Returns the chosen mask over ``found.cand`` and, for the strata whose
    ``m``-th key ties with units that do not fit (in stratum order): their
    tied members (positions in ``cand``, ascending), the group lengths and
    how many of each to keep; ``None`` if a stratum has fewer candidates than
    places (the caller then takes every key of it). Chosen set and tie groups
    are those of the packed sort by (stratum, key, unit).
    """
    chosen: (
        tuple[NDArray[np.bool_], NDArray[np.intp], NDArray[np.intp], NDArray[np.int64]] | None
    ) = _kernels().select(found.cand_codes, found.cand_keys, sizes)
    return chosen


def finish(
    cand: NDArray[np.int32] | NDArray[np.intp],
    mask: NDArray[np.bool_],
    members: NDArray[np.intp],
    lengths: NDArray[np.intp],
    need: NDArray[np.int64],
    words: NDArray[np.uint64],
) -> NDArray[np.intp] | None:
    """The chosen units (ascending) once each tied group keeps its ``need`` smallest ``words``.

    ``words`` holds one raw word per member, in ``members`` order; equal
    words keep member order. ``None`` (``mask`` then partly updated) when two
    words tie at a group's cut: the caller refines that group with fresh words.
    """
    out: NDArray[np.intp] | None = _kernels().finish(cand, mask, members, lengths, need, words)
    return out
