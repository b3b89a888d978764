"""The annual inspection programme of one department: rounds, tiers, and what binds.

A preset gives per tier a rate (share of the frame drawn in a round) and a
minimum number of months between two inspections of one entity by the
department (``min_months``; this project's defaults A 24, B 12, C 6, D 3).
Both cannot always hold: with ``rounds`` evenly spaced rounds a year
(``12 / rounds`` months apart), an entity inspected in one round is kept out
of the next ``k = ceil(min_months / spacing) - 1`` rounds, so the frame a
round draws from (π are defined on the frame *after* these exclusions) is
smaller than the tier. In the steady state the inspections per round ``I``
satisfy ``I = rate * (N - k * I)``, i.e. ``I = rate * N / (1 + rate * k)``:
the rate binds when ``k = 0`` (the limit never keeps out anyone a round
would draw), the frequency limit binds otherwise and the year's inspections
fall short of ``rounds * rate * N`` by the factor ``1 / (1 + rate * k)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from scheduler.data.directory import Directory
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.errors import InvalidInputError

__all__ = ["TierProgramme", "Programme", "annual_programme", "blocked_rounds"]


@dataclass(frozen=True)
class TierProgramme:
    tier: str
    population: int
    """Operating entities of the department's frame in this tier on 1 January."""
    rate: float
    min_months: int
    blocked_rounds: int
    """Rounds after an inspection in which the entity is kept out of the frame."""
    nominal: float
    """``rounds * rate * population``: the year's inspections if nothing were kept out."""
    expected: float
    """Steady-state inspections in the year under the frequency limit."""
    limit_per_entity: float
    """At most this many inspections of one entity a year (``12 / min_months``)."""
    binds: str
    """``rate`` or ``frequency``: which of the two decides the year's inspections."""


@dataclass(frozen=True)
class Programme:
    department_code: str
    year: int
    rounds: int
    spacing_months: float
    tiers: tuple[TierProgramme, ...]

    @property
    def consistent(self) -> bool:
        """Whether the rates hold as stated: no frequency limit keeps a drawn entity out."""
        return all(t.binds == "rate" for t in self.tiers)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([t.__dict__ for t in self.tiers])


def blocked_rounds(min_months: int, spacing_months: float) -> int:
    """Later rounds ``i >= 1`` with ``i * spacing < min_months`` (kept out of those rounds)."""
    if min_months <= 0:
        return 0
    return max(0, math.ceil(min_months / spacing_months) - 1)


def annual_programme(
    directory: Directory,
    department_code: str,
    year: int,
    *,
    rates: dict[str, float],
    min_months: dict[str, int],
    rounds: int,
    scheme: str | None = None,
) -> Programme:
    """The year's programme for ``department_code`` (see the module docstring for the model)."""
    if not isinstance(rounds, int) or rounds < 1 or rounds > 12:
        raise InvalidInputError(f"`rounds` must be a whole number from 1 to 12; got {rounds!r}.")
    frame = build_frame(
        directory,
        FrameRules(
            department_code=department_code, on=date(year, 1, 1), repeat_window_months=0,
            scheme=scheme,
        ),
    )  # fmt: skip
    missing = [t for t in frame.scheme.codes if t not in rates or t not in min_months]
    if missing:
        raise InvalidInputError(f"no rate or min_months for tier(s) {', '.join(missing)}.")
    counts = frame.units["tier"].value_counts()
    spacing = 12 / rounds
    rows = []
    for tier in frame.scheme.codes:
        n, rate, months = int(counts.get(tier, 0)), float(rates[tier]), int(min_months[tier])
        k = blocked_rounds(months, spacing)
        per_round = rate * n / (1 + rate * k)
        rows.append(
            TierProgramme(
                tier=tier,
                population=n,
                rate=rate,
                min_months=months,
                blocked_rounds=k,
                nominal=round(rounds * rate * n, 2),
                expected=round(rounds * per_round, 2),
                limit_per_entity=round(12 / months, 3) if months else math.inf,
                binds="rate" if k == 0 else "frequency",
            )
        )
    return Programme(department_code, year, rounds, spacing, tuple(rows))
