"""CLI: ``scheduler programme`` -- a department's annual programme (rounds, tiers, what binds)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scheduler.cli.console import console
from scheduler.cli.draw_options import Url
from scheduler.errors import InvalidInputError

__all__ = ["register"]


def _planned_rounds(url: str | None, department: str, year: int) -> int:
    """Stored plans of the department starting in ``year`` (the planned rounds)."""
    from sqlmodel import Session

    from scheduler.draw.plans import list_plans
    from scheduler.store.engine import init_db, make_engine

    engine = make_engine(url)
    init_db(engine)
    with Session(engine) as session:
        return sum(
            1
            for p in list_plans(session)
            if p.department_code == department
            and p.start is not None
            and date(year, 1, 1) <= p.start <= date(year, 12, 31)
        )


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
    url: Url = None,
) -> None:
    """Planned rounds, expected inspections per tier, and whether rates or frequency bind."""
    from scheduler.data.reference import default_preset
    from scheduler.data.reference import preset as named
    from scheduler.draw.programme import annual_programme

    found = named(preset) if preset else default_preset()
    if rounds is None:
        rounds = _planned_rounds(url, department, year)
        if rounds == 0:
            raise InvalidInputError(
                f"no stored plan of {department} starts in {year}; give --rounds N."
            )
    if data is not None:
        from scheduler.data.importing.reader import read_folder
        from scheduler.draw.frame import FRAME_INPUT

        directory = read_folder(data, tables=FRAME_INPUT)
    else:
        from scheduler.store.engine import init_db, make_engine
        from scheduler.store.loader import directory_from_db

        engine = make_engine(url)
        init_db(engine)
        directory = directory_from_db(engine)
    result = annual_programme(
        directory,
        department,
        year,
        rates=found.rates,
        min_months=found.min_months,
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
    console.print(
        "probabilities apply to the frame after exclusions (repeat control by tier)", markup=False
    )


def register(app: typer.Typer) -> None:
    """Add this area's command to the main app."""
    app.command("programme")(programme)
