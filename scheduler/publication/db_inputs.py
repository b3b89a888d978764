"""What an export of one draw reads from the database: its entities and the names to mask.

Lists and task sheets look up only the drawn entities (names, addresses,
sectors), every inspector and the reference tables: the rows
``scheduler.draw.db_scope.staffing_directory`` selects. The public list also
masks any person's name the directory knows (``masker_for``), so its masker
reads one column of every entity, not the whole table.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from scheduler.publication.masking import NameMasker
from scheduler.store.tables import DB_TABLES

__all__ = ["masker_from_db"]


def masker_from_db(engine: Engine) -> NameMasker:
    """``masker_for`` of the stored directory: every legal representative and inspector name."""
    entities, inspectors = DB_TABLES["entities"], DB_TABLES["inspectors"]
    with engine.connect() as connection:
        reps = connection.execute(select(entities.c.legal_rep).distinct()).scalars().all()
        names = connection.execute(select(inspectors.c.name)).scalars().all()
    return NameMasker([*reps, *names])
