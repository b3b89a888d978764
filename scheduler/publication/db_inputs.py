"""What an export of one draw reads from the database: its entities and the names to mask.

Lists and task sheets look up only the drawn entities (names, addresses,
sectors), every inspector and the reference tables: the rows
``scheduler.draw.db_scope.staffing_directory`` selects. The public list also
masks any person's name the directory knows (``masker_for``). Of the city's
353k distinct legal representatives, only those that occur inside the listed
entities' names can change a masked name, so ``masker_from_db`` given those
entities asks the database for just these (an index lookup of each piece of each
name) instead of reading the whole column.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from scheduler.publication.masking import NameMasker, known_name_candidates
from scheduler.store.engine import in_chunks
from scheduler.store.tables import DB_TABLES

__all__ = ["masker_from_db"]


def masker_from_db(engine: Engine, entities: pd.DataFrame | None = None) -> NameMasker:
    """``masker_for`` of the stored directory: every legal representative and inspector name.

    With ``entities`` (rows with ``name`` and ``legal_rep``, e.g. a draw's from
    ``staffing_directory``), the masker knows only the stored legal
    representatives that occur inside those entities' names: it masks their names
    exactly as the full masker does, and a public list of them is the same file.
    """
    table, inspectors = DB_TABLES["entities"], DB_TABLES["inspectors"]
    with engine.connect() as connection:
        names = list(connection.execute(select(inspectors.c.name)).scalars())
        if entities is None:
            names += connection.execute(select(table.c.legal_rep).distinct()).scalars()
        else:
            pieces = known_name_candidates(
                entities["name"].fillna("").astype(str), entities["legal_rep"]
            )
            for chunk in in_chunks(sorted(pieces)):
                query = select(table.c.legal_rep).where(table.c.legal_rep.in_(chunk)).distinct()
                names += connection.execute(query).scalars()
    return NameMasker(names)
