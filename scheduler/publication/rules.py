"""Configurable credit-lifecycle rules: how findings move tiers, and the deadlines.

Defaults follow the seed notice and SPEC section 1 (publication 20 working
days, rating report 7, objection 5, repair report 2). Tier moves are *policy*:
codes 09/13/14 move an entity down one tier, 04 (serious refusal) sends it to
the worst tier, and a repeated 14 (falsified disclosures again within a year)
too. The minimum publicity period before credit repair is in calendar days
(3 months for a general downgrade, 1 year for the worst tier, after the
national credit-repair practice). A broken credit commitment (不实承诺/未履约)
moves no tier by default (``broken_commitment = "none"``); a city that treats
it as a finding sets ``"down_one"`` or ``"to_worst"``. A city changes any of
it with a JSON file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from scheduler.data.reference import TierScheme, result_codes
from scheduler.errors import InvalidInputError, Problem

__all__ = [
    "LifecycleRules",
    "next_tier",
    "load_rules",
    "tier_after_broken_commitment",
    "BROKEN_COMMITMENT_MOVES",
]

BROKEN_COMMITMENT_MOVES = ("none", "down_one", "to_worst")
"""What a broken credit commitment does to the entity's tier with that department."""


@dataclass(frozen=True)
class LifecycleRules:
    down_one: frozenset[str] = frozenset({"09", "13", "14"})
    to_worst: frozenset[str] = frozenset({"04"})
    to_worst_if_repeated: frozenset[str] = frozenset({"14"})
    repeat_window_days: int = 365
    publication_days: int = 20
    rating_report_days: int = 7
    objection_days: int = 5
    repair_report_days: int = 2
    min_publicity_days: int = 90
    min_publicity_days_worst: int = 365
    broken_commitment: str = "none"
    """One of ``BROKEN_COMMITMENT_MOVES``; off by default (the notice leaves it to 惩戒)."""

    def is_repeat(self, code: str, earlier: list[tuple[date, str]], on: date) -> bool:
        """Whether ``code`` on ``on`` repeats one of ``earlier`` (date, code) within the window."""
        return code in self.to_worst_if_repeated and any(
            c == code and 0 <= (on - d).days <= self.repeat_window_days for d, c in earlier
        )


def next_tier(
    current: str, code: str, scheme: TierScheme, rules: LifecycleRules, *, repeated: bool = False
) -> str:
    """The tier after a finding ``code``; never better than ``current``.

    Tiers are the scheme's, best first, so "down one" and "worst" work for a
    four- or five-tier scheme alike.
    """
    index = scheme.index(current)
    worst = len(scheme.codes) - 1
    if code in rules.to_worst or (repeated and code in rules.to_worst_if_repeated):
        return scheme.codes[worst]
    if code in rules.down_one:
        return scheme.codes[min(index + 1, worst)]
    return current


def tier_after_broken_commitment(current: str, scheme: TierScheme, rules: LifecycleRules) -> str:
    """The tier after a broken commitment under ``rules.broken_commitment``; never better."""
    worst = len(scheme.codes) - 1
    if rules.broken_commitment == "to_worst":
        return scheme.codes[worst]
    if rules.broken_commitment == "down_one":
        return scheme.codes[min(scheme.index(current) + 1, worst)]
    return current


def load_rules(path: str | Path | None) -> LifecycleRules:
    """Rules from a JSON object with any of ``LifecycleRules``' field names."""
    if path is None:
        return LifecycleRules()
    name = Path(path).name
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as error:
        raise InvalidInputError(
            problems=[Problem(name, None, None, f"cannot read rules: {error}")]
        ) from None
    known = {f.name for f in fields(LifecycleRules)}
    codes = {r.code for r in result_codes()}
    problems = [Problem(name, None, k, "unknown rule") for k in raw if k not in known]
    values: dict[str, object] = {}
    for key, value in raw.items():
        if key not in known:
            continue
        if key in ("down_one", "to_worst", "to_worst_if_repeated"):
            bad = (
                [c for c in value if str(c).zfill(2) not in codes]
                if isinstance(value, list)
                else [value]
            )
            if bad:
                problems.append(
                    Problem(name, None, key, f"must be a list of result codes 01-14; got {bad!r}")
                )
                continue
            values[key] = frozenset(str(c).zfill(2) for c in value)
        elif key == "broken_commitment":
            if value not in BROKEN_COMMITMENT_MOVES:
                problems.append(
                    Problem(
                        name,
                        None,
                        key,
                        f"must be one of {', '.join(BROKEN_COMMITMENT_MOVES)}; got {value!r}",
                    )
                )
                continue
            values[key] = value
        elif not isinstance(value, int) or value < 0:
            problems.append(
                Problem(name, None, key, f"must be a non-negative whole number; got {value!r}")
            )
        else:
            values[key] = value
    if problems:
        raise InvalidInputError(problems=problems)
    return LifecycleRules(**values)  # type: ignore[arg-type]
