"""What changed in a frame since a draw, said per tier and per district, not as two hashes.

The receipt keeps the population of every tier and district at the draw
(``counts``); a frame rebuilt later is compared with those. When the draw's
snapshot is at hand the units themselves are compared too: how many entered,
left, or changed district or tier.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["frame_changes"]

_MAX_LINES = 12


def frame_changes(
    receipt: dict[str, Any], now: Any, at_draw: pd.DataFrame | None = None
) -> list[str]:
    """Lines naming each tier and district whose number of units differs, then the units.

    ``now`` is a ``SamplingFrame``; ``at_draw`` the snapshot's units (optional).
    """
    counts = receipt.get("counts") or {}
    lines: list[str] = []
    for label, key, column in (("tier", "tier", "tier"), ("district", "region", "region_code")):
        before = {str(k): int(v.get("population", 0)) for k, v in (counts.get(key) or {}).items()}
        after = {str(k): int(v) for k, v in now.units[column].astype(str).value_counts().items()}
        for name in sorted(set(before) | set(after)):
            a, b = before.get(name, 0), after.get(name, 0)
            if a != b:
                lines.append(f"{label} {name}: {a} units at the draw, {b} now ({b - a:+d})")
    if len(lines) > _MAX_LINES:
        lines = [*lines[:_MAX_LINES], f"... and {len(lines) - _MAX_LINES} more tiers or districts"]
    if at_draw is not None:
        lines.append(_unit_changes(at_draw, now.units))
    elif not lines:
        lines.append(
            "every tier and district has as many units as at the draw; "
            "the units themselves differ (a snapshot would name how)"
        )
    return lines


def _unit_changes(before: pd.DataFrame, after: pd.DataFrame) -> str:
    old = before.set_index("uscc")[["region_code", "tier"]]
    new = after.set_index("uscc")[["region_code", "tier"]]
    entered = new.index.difference(old.index)
    left = old.index.difference(new.index)
    both = old.index.intersection(new.index)
    moved = int((old.loc[both, "region_code"] != new.loc[both, "region_code"]).sum())
    rerated = int((old.loc[both, "tier"] != new.loc[both, "tier"]).sum())
    example = ""
    if len(left):
        example = f" (first left: {left[0]})"
    elif len(entered):
        example = f" (first entered: {entered[0]})"
    return (
        f"units: {len(entered)} entered, {len(left)} left, {moved} changed district, "
        f"{rerated} changed tier{example}"
    )
