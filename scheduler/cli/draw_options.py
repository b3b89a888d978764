"""Options and parsers shared by the draw, plan, substitute (and other) commands.

One place for the ``--url`` option and the parsing of code lists, dates, USCC
files and tier policies, so ``scheduler.cli.draw`` and ``scheduler.cli.plan``
read their options the same way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scheduler.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from scheduler.draw.policy import Policy

__all__ = [
    "Url",
    "JointTierRule",
    "codes",
    "optional_day",
    "uscc_list",
    "tier_policy",
    "tier_months",
]

Url = Annotated[
    str | None, typer.Option("--url", help="Database URL (default: SCHEDULER_DATABASE_URL).")
]

JointTierRule = Annotated[
    str,
    typer.Option(
        "--joint-tier-rule",
        help="least_favourable (default), most_favourable or lead: an entity's tier "
        "in a joint frame.",
    ),
]
"""``--joint-tier-rule`` of ``draw`` and ``plan create`` (the rules: ``frame.JOINT_TIER_RULES``;
the library refuses others, naming the field)."""


def codes(text: str | None) -> tuple[str, ...]:
    """A comma-separated option as sorted distinct codes (empty for none)."""
    return tuple(sorted({c.strip() for c in (text or "").split(",") if c.strip()}))


def optional_day(text: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option as a date, ``None`` when absent; bad text is invalid input.

    The one date parser of the CLI: every command's date options go through it.
    """
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"`{option}` must be a date YYYY-MM-DD; got {text!r}.") from None


def uscc_list(path: Path | None) -> tuple[str, ...]:
    """USCCs from a file: one per line, or a CSV whose first column (or ``uscc``) holds them."""
    if path is None:
        return ()
    import pandas as pd

    try:
        table = pd.read_csv(
            path, dtype=str, keep_default_na=False, header=None, encoding="utf-8-sig"
        )
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InvalidInputError(
            problems=[Problem(path.name, None, None, f"cannot read: {error}")]
        ) from error
    values = [str(v).strip() for v in table.iloc[:, 0]]
    if values and values[0].lower() in ("uscc", "统一社会信用代码"):
        values = values[1:]
    from scheduler.data.uscc import invalid_reason

    problems = [
        Problem(path.name, i + 1, None, r)
        for i, v in enumerate(values)
        if v and (r := invalid_reason(v))
    ]
    if problems:
        raise InvalidInputError(problems=problems)
    return tuple(sorted({v for v in values if v}))


def tier_policy(
    scheme_name: str | None,
    preset: str | None,
    rates: str | None,
    budget: int | None,
    weights: str | None,
) -> Policy:
    """The tier policy the ``--scheme/--preset/--rates/--budget/--weights`` options describe."""
    from scheduler.data.reference import tier_scheme
    from scheduler.draw.policy import make_policy, parse_tier_values

    return make_policy(
        tier_scheme(scheme_name),
        preset_name=preset,
        rates=parse_tier_values(rates, "--rates") if rates is not None else None,
        budget=budget,
        weights=parse_tier_values(weights, "--weights") if weights is not None else None,
    )


def tier_months(text: str | None, preset: str | None) -> tuple[tuple[str, int], ...]:
    """``--tier-months``: ``preset`` (the preset's ``min_months``, or the default
    preset's) or explicit ``A=24,B=12,C=6,D=3``; empty when the option is absent."""
    if text is None:
        return ()
    from scheduler.data.reference import default_preset
    from scheduler.data.reference import preset as named

    if text.strip().lower() == "preset":
        found = named(preset) if preset else default_preset()
        return tuple(sorted(found.min_months.items()))
    from scheduler.draw.policy import parse_tier_values

    values = parse_tier_values(text, "--tier-months")
    bad = [f"{t}={v:g}" for t, v in values.items() if v != int(v) or v < 0]
    if bad:
        raise InvalidInputError(
            f"`--tier-months` needs whole months >= 0 per tier; got {', '.join(bad)}."
        )
    return tuple(sorted((t, int(v)) for t, v in values.items()))
