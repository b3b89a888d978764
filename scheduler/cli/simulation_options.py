"""Options and population of the commands that simulate (``simulate``, ``sweep``).

One definition of each shared option, so both commands take the population the
same way and say the same in ``--help``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from scheduler.data.reference import tier_scheme
from scheduler.errors import InvalidInputError
from scheduler.simulation import Population, population_from_directory

__all__ = [
    "DataOption",
    "SizeOption",
    "FromDbOption",
    "PeriodsOption",
    "PeriodOption",
    "DepartmentOption",
    "OnOption",
    "SchemeOption",
    "given_population",
]

DataOption = Annotated[
    Path | None, typer.Option("--data", help="Data folder to take the population from.")
]

SizeOption = Annotated[
    int | None, typer.Option("--size", help="Synthetic population of N entities instead.")
]

FromDbOption = Annotated[
    bool, typer.Option("--db", help="Population from the database (SCHEDULER_DATABASE_URL).")
]

PeriodsOption = Annotated[int, typer.Option("--periods", help="Number of periods.")]

PeriodOption = Annotated[str, typer.Option("--period", help="Period unit: year or quarter.")]

DepartmentOption = Annotated[
    str | None,
    typer.Option("--department", help="Use this department's tiers (default PUBLIC)."),
]

OnOption = Annotated[
    datetime | None,
    typer.Option("--on", formats=["%Y-%m-%d"], help="Day of the tiers (default: latest rating)."),
]

SchemeOption = Annotated[str | None, typer.Option("--scheme", help="Tier scheme name.")]


def given_population(
    data: Path | None,
    size: int | None,
    from_db: bool,
    department: str | None,
    on: date | None,
    scheme_name: str | None,
) -> Population | int:
    """The population given on the command line, or a synthetic one's size (built by
    ``simulate_seeded`` from the seed)."""
    given = [name for name, v in (("--data", data), ("--size", size), ("--db", from_db)) if v]
    if len(given) != 1:
        raise InvalidInputError(
            f"give exactly one of --data, --size, --db; got {', '.join(given) or 'none'}"
        )
    scheme = tier_scheme(scheme_name)
    if size is not None:
        return size
    if data is None:  # the population's columns only, selected in the database
        from scheduler.simulation.db_population import population_from_db
        from scheduler.store.engine import make_engine

        return population_from_db(make_engine(), on=on, department=department, scheme=scheme)
    from scheduler.data.importing.reader import read_folder

    return population_from_directory(
        read_folder(data), on=on, department=department, scheme=scheme, source=f"folder:{data.name}"
    )
