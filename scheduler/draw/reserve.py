"""Reserve lists and substitutions.

A drawn entity found deregistered, moved away or unreachable before the
inspection is replaced by the next reserve *of its own stratum*, so the
stratum keeps its size. Each stratum's reserve is a uniformly random order of
its undrawn units (order sampling with uniform keys, from a stream of its own
so the draw itself does not depend on how long the reserve is). Its length is
``max(reserve_min, ceil(reserve_share * drawn))``, capped by what is left.

A substitution changes who is inspected, not the design: the replacement's
``inclusion_prob`` stays the design probability of its stratum; an analyst
treats a substitution as non-response (see ``docs/draw.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scheduler.errors import InvalidInputError

__all__ = ["Substitution", "reserve_order", "apply_substitutions", "next_reserve"]


@dataclass(frozen=True)
class Substitution:
    uscc_out: str
    uscc_in: str
    stratum: str
    reason: str
    at: str
    """ISO timestamp; kept out of every hash."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "uscc_out": self.uscc_out,
            "uscc_in": self.uscc_in,
            "stratum": self.stratum,
            "reason": self.reason,
            "at": self.at,
        }


def reserve_order(
    codes: np.ndarray,
    selected: np.ndarray,
    *,
    rng: np.random.Generator | None,
    reserve_min: int,
    reserve_share: float,
    keys: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unit indices of the reserves and their 1-based rank within their stratum.

    Sorted by stratum code, then rank. The rank follows ``keys`` (one uniform
    per unit; the draw passes keys made from raw bit-generator words so that
    they are stable across numpy versions), else ``rng.random``.
    """
    n_strata = int(codes.max()) + 1 if codes.size else 0
    if keys is None:
        if rng is None:
            raise ValueError("`reserve_order` needs `rng` or `keys`.")
        keys = rng.random(codes.size)
    undrawn = np.ones(codes.size, dtype=bool)
    undrawn[selected] = False
    drawn_per = np.bincount(codes[selected], minlength=n_strata)
    length = np.maximum(reserve_min, np.ceil(reserve_share * drawn_per)).astype(np.int64)
    pool = np.flatnonzero(undrawn)
    order = pool[np.lexsort((keys[pool], codes[pool]))]
    order_codes = codes[order]
    first = np.searchsorted(order_codes, np.arange(n_strata))
    rank = np.arange(order.size) - first[order_codes]
    keep = rank < length[order_codes]
    return order[keep], rank[keep] + 1


def next_reserve(reserves: pd.DataFrame, stratum: str, used: set[str]) -> pd.Series:
    """The first reserve of ``stratum`` not yet used; raises if the list is exhausted."""
    candidates = reserves[(reserves["stratum"] == stratum) & ~reserves["uscc"].isin(used)]
    if candidates.empty:
        raise InvalidInputError(f"the reserve list of stratum {stratum} is exhausted")
    return candidates.sort_values("reserve_rank").iloc[0]


def apply_substitutions(
    rows: pd.DataFrame, reserves: pd.DataFrame, substitutions: list[Substitution]
) -> pd.DataFrame:
    """The draw rows after the substitutions, each checked to take the next reserve.

    Raises ``InvalidInputError`` naming the substitution that does not follow
    the reserve order (or removes an entity that was not drawn).
    """
    current = rows.copy()
    used: set[str] = set()
    for number, sub in enumerate(substitutions, start=1):
        hit = current["uscc"] == sub.uscc_out
        if not hit.any():
            raise InvalidInputError(f"substitution {number}: {sub.uscc_out} is not in the draw")
        stratum = str(current.loc[hit, "stratum"].iloc[0])
        expected = next_reserve(reserves, stratum, used)
        if expected["uscc"] != sub.uscc_in or stratum != sub.stratum:
            raise InvalidInputError(
                f"substitution {number}: {sub.uscc_out} was replaced by {sub.uscc_in}, "
                f"but the next reserve of stratum {stratum} is {expected['uscc']}"
            )
        used.add(sub.uscc_in)
        replacement = {c: expected[c] for c in current.columns if c in expected.index}
        replacement["draw_id"] = current.loc[hit, "draw_id"].iloc[0]
        current = pd.concat([current.loc[~hit], pd.DataFrame([replacement])], ignore_index=True)
    return current.sort_values("uscc", kind="stable", ignore_index=True)
