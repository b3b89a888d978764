"""CLI: ``scheduler programme`` -- a department's annual programme (rounds, tiers, what binds)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from scheduler.cli.console import console
from scheduler.cli.draw_options import Url, tier_months
from scheduler.errors import InvalidInputError

if TYPE_CHECKING:
    from scheduler.data.directory import Directory
    from scheduler.draw.plan_months import PlannedYear
    from scheduler.draw.programme import TierPopulations

__all__ = ["register"]


def _planned(url: str | None, department: str, year: int) -> PlannedYear:
    """The department's stored plans starting in ``year`` (rounds, per-tier months)."""
    from sqlmodel import Session

    from scheduler.draw.plan_months import planned_year
    from scheduler.store.engine import init_db, make_engine

    engine = make_engine(url)
    init_db(engine)
    with Session(engine) as session:
        return planned_year(session, department, year)


def programme(
    department: Annotated[str, typer.Option("--department", help="Department code.")],
    year: Annotated[int, typer.Option("--year", help="Calendar year.")],
    data: Annotated[
        Path | None, typer.Option("--data", help="Data folder (default: the database).")
    ] = None,
    preset: Annotated[
        str | None, typer.Option("--preset", help="Rates and min_months (default preset).")
    ] = None,
    rounds: Annotated[
        int | None,
        typer.Option("--rounds", help="Rounds a year (default: the department's stored plans)."),
    ] = None,
    months_by_tier: Annotated[
        str | None,
        typer.Option(
            "--tier-months",
            help="Months per tier (default: those the year's stored plans carry, else the "
            "preset's): 'preset' or A=24,B=12,C=6,D=3.",
        ),
    ] = None,
    url: Url = None,
) -> None:
    """Planned rounds, expected inspections per tier, and whether rates or frequency bind."""
    from scheduler.data.reference import default_preset
    from scheduler.data.reference import preset as named
    from scheduler.draw.programme import annual_programme

    found = named(preset) if preset else default_preset()
    planned = _planned(url, department, year) if data is None or rounds is None else None
    if rounds is None:
        assert planned is not None
        rounds = planned.rounds
        if rounds == 0:
            raise InvalidInputError(
                f"no stored plan of {department} starts in {year}; give --rounds N."
            )
    months = dict(tier_months(months_by_tier, preset))
    source = "--tier-months"
    if not months and planned is not None and planned.tier_months:
        months, source = planned.tier_months, f"the {year} plans {sorted(planned.months_by_plan)}"
    if not months:
        months, source = found.min_months, f"preset {found.name}"
    source_data: Directory | TierPopulations
    if data is not None:
        from scheduler.data.importing.reader import read_folder
        from scheduler.draw.frame import FRAME_INPUT

        source_data = read_folder(data, tables=FRAME_INPUT)
    else:  # only the rows the department's frame can hold leave the database
        from scheduler.draw.programme import populations_from_db
        from scheduler.store.engine import init_db, make_engine

        engine = make_engine(url)
        init_db(engine)
        source_data = populations_from_db(engine, department, year, found.scheme)
    result = annual_programme(
        source_data,
        department,
        year,
        rates=found.rates,
        min_months=months,
        rounds=rounds,
        scheme=found.scheme,
    )
    table = Table(
        title=f"{department} {year}: {rounds} rounds, {result.spacing_months:g} months apart "
        f"(preset {found.name})"
    )
    columns = ("tier", "population", "rate", "min_months", "blocked_rounds", "nominal",
               "expected", "binds")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    for row in result.tiers:
        table.add_row(*(f"{getattr(row, c):g}" if isinstance(getattr(row, c), float)
                        else str(getattr(row, c)) for c in columns))  # fmt: skip
    console.print(table)
    verdict = (
        "consistent: the rates bind in every tier"
        if result.consistent
        else "not consistent: the frequency limit binds in "
        + ", ".join(t.tier for t in result.tiers if t.binds == "frequency")
    )
    console.print(verdict, markup=False)
    console.print(f"months per tier from {source}", markup=False)
    console.print(
        "probabilities apply to the frame after exclusions (repeat control by tier)", markup=False
    )


def register(app: typer.Typer) -> None:
    """Add this area's command to the main app."""
    app.command("programme")(programme)
