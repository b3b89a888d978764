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
from sqlalchemy import Engine

from scheduler.data.directory import Directory
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.errors import InvalidInputError

__all__ = [
    "TierProgramme",
    "TierPopulations",
    "Programme",
    "annual_programme",
    "blocked_rounds",
    "populations_from_db",
    "programme_rules",
    "tier_populations",
]


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


def programme_rules(department_code: str, year: int, scheme: str | None = None) -> FrameRules:
    """The frame a programme counts: the department's, on 1 January, no repeat control."""
    return FrameRules(
        department_code=department_code, on=date(year, 1, 1), repeat_window_months=0, scheme=scheme
    )


@dataclass(frozen=True)
class TierPopulations:
    """The programme's frame counted per tier (the only part that reads the directory)."""

    tiers: tuple[str, ...]
    counts: dict[str, int]


def tier_populations(directory: Directory, rules: FrameRules) -> TierPopulations:
    """Units of ``build_frame(directory, rules)`` per tier, in the scheme's order."""
    frame = build_frame(directory, rules)
    counts = frame.units["tier"].value_counts()
    codes = tuple(frame.scheme.codes)
    return TierPopulations(codes, {t: int(counts.get(t, 0)) for t in codes})


def annual_programme(
    directory: Directory | TierPopulations,
    department_code: str,
    year: int,
    *,
    rates: dict[str, float],
    min_months: dict[str, int],
    rounds: int,
    scheme: str | None = None,
) -> Programme:
    """The year's programme for ``department_code`` (see the module docstring for the model).

    ``directory``: the directory, or its frame already counted (``tier_populations``
    of ``programme_rules``; e.g. read from the database by ``populations_from_db``).
    """
    if not isinstance(rounds, int) or rounds < 1 or rounds > 12:
        raise InvalidInputError(f"`rounds` must be a whole number from 1 to 12; got {rounds!r}.")
    populations = (
        directory
        if isinstance(directory, TierPopulations)
        else tier_populations(directory, programme_rules(department_code, year, scheme))
    )
    missing = [t for t in populations.tiers if t not in rates or t not in min_months]
    if missing:
        raise InvalidInputError(f"no rate or min_months for tier(s) {', '.join(missing)}.")
    spacing = 12 / rounds
    rows = []
    for tier in populations.tiers:
        n, rate, months = populations.counts[tier], float(rates[tier]), int(min_months[tier])
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


def populations_from_db(
    engine: Engine, department_code: str, year: int, scheme: str | None = None
) -> TierPopulations:
    """``tier_populations`` of the stored directory, reading only what the frame can hold."""
    from scheduler.draw.db_scope import frame_directory

    rules = programme_rules(department_code, year, scheme)
    return tier_populations(frame_directory(engine, rules), rules)
