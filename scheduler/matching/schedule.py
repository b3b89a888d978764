"""Dates: each visit gets one working day in the window within daily limits.

A greedy over the visits, hardest first (members with the heaviest loads), that
picks for each visit a working day on which every member still has room
(``daily_limit`` visits per inspector and day), preferring in order: a day on
which no member is already in another division, a day on which members are
already in this division (a team keeps one division per day), the least busy
day for the members, and then at random. Greedy colouring can fail on a tight
instance that has a schedule; it retries with failed visits first before
reporting the calendar as binding.
"""

from __future__ import annotations

import numpy as np

__all__ = ["schedule_visits"]


def _one_pass(
    order: np.ndarray,
    members: list[np.ndarray],
    region: np.ndarray,
    n_inspectors: int,
    n_days: int,
    daily_limit: int,
    rng: np.random.Generator,
) -> np.ndarray:
    usage = np.zeros((n_inspectors, n_days), dtype=np.int32)
    day_region = np.full((n_inspectors, n_days), -1, dtype=np.int64)
    day_of = np.full(len(members), -1, dtype=np.int64)
    tie = rng.random((len(members), n_days)) if len(members) * n_days <= 5_000_000 else None
    big_free, big_clash = 4e12, 1e9
    for v in order.tolist():
        m = members[v]
        u = usage[m]
        dr = day_region[m]
        r = region[v]
        noise = tie[v] if tie is not None else rng.random(n_days)
        # One score: free day >> no member in another division >> members already in this
        # division that day >> least busy >> random.
        score = (
            (u < daily_limit).all(axis=0) * big_free
            + ((dr == -1) | (dr == r)).all(axis=0) * big_clash
            + (dr == r).sum(axis=0) * 1e6
            - u.sum(axis=0) * 10.0
            + noise
        )
        d = int(score.argmax())
        if score[d] < big_free:
            continue  # no day on which every member has room
        day_of[v] = d
        usage[m, d] += 1
        unset = day_region[m, d] == -1
        day_region[m[unset], d] = r
    return day_of


def schedule_visits(
    members: list[np.ndarray],
    region: np.ndarray,
    n_inspectors: int,
    n_days: int,
    daily_limit: int,
    *,
    rng: np.random.Generator,
    attempts: int = 3,
) -> np.ndarray:
    """Day index (into the window's working days) per visit; -1 = could not be scheduled.

    ``members[v]`` are the global inspector indices of visit ``v``; ``region[v]``
    an integer division code of its entity.
    """
    if not members:
        return np.zeros(0, dtype=np.int64)
    if n_days == 0:
        return np.full(len(members), -1, dtype=np.int64)
    load = np.zeros(n_inspectors, dtype=np.int64)
    for m in members:
        load[m] += 1
    hardness = np.array([load[m].max() if m.size else 0 for m in members])
    order = np.lexsort((rng.random(len(members)), region, -hardness))
    best = None
    for _ in range(attempts):
        day_of = _one_pass(order, members, region, n_inspectors, n_days, daily_limit, rng)
        if best is None or (day_of < 0).sum() < (best < 0).sum():
            best = day_of
        failed = day_of < 0
        if not failed.any():
            break
        order = np.concatenate([order[failed[order]], order[~failed[order]]])
    assert best is not None
    return best
