"""The simulation's population read from the database: three entity columns and two raters.

``population_from_directory`` reads only ``entities`` (key, division, status)
and the ratings of the public rating and the chosen department; selecting just
those in the database keeps a city-sized directory's other columns and tables
(addresses, history, other departments' ratings) out of memory.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select

from scheduler.data.directory import Directory
from scheduler.data.reference import PUBLIC_DEPARTMENT, TierScheme
from scheduler.simulation.population import Population, population_from_directory
from scheduler.store.readback import read_table
from scheduler.store.tables import DB_TABLES

__all__ = ["population_from_db"]


def population_from_db(
    engine: Engine,
    *,
    on: date | None = None,
    department: str | None = None,
    scheme: TierScheme | str | None = None,
    source: str = "database",
) -> Population:
    """``population_from_directory`` of the stored directory, equal to it on the whole read.

    ``on=None`` takes the latest rating date of the whole directory, as
    ``population_from_directory`` does, asked of the database (one ``MAX``).
    """
    rating = DB_TABLES["ratings"]
    raters = sorted({PUBLIC_DEPARTMENT, department or PUBLIC_DEPARTMENT})
    with engine.connect() as connection:
        if on is None:
            latest = connection.execute(select(func.max(rating.c.evaluated_on))).scalar_one()
            on = latest or date(2000, 1, 1)
        entities = read_table(connection, "entities", columns=("uscc", "region_code", "status"))
        ratings = read_table(connection, "ratings", where=rating.c.department_code.in_(raters))
    data = Directory.from_tables({"entities": entities, "ratings": ratings})
    return population_from_directory(
        data, on=on, department=department, scheme=scheme, source=source
    )
