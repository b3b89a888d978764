"""Only the part of the directory a task needs, selected inside the database.

A one-division frame of a 1.48M-entity city holds about a tenth of the
entities; a staffing run touches a few thousand. Reading the whole directory
back into pandas for either (``directory_from_db``: ~40 s, ~3 GB at that size)
is what made every command and every new dashboard process slow. Here the
database does the selection with indexed SQL that runs the same on SQLite and
PostgreSQL, and only the selected rows leave it.

The scope's condition (region index, sector ``LIKE``) is evaluated once, for
the entities; the ratings and the inspection history are then looked up by the
keys of the entities read (a temporary table joined through their ``uscc``
indexes),
instead of evaluating the scope again inside each table's query (measured on
the Weifang one-division plan: 0.75 s -> 0.45 s of SQLite CPU).

Exactness: the SQL selects a *superset* of what the Python rule keeps (the
sector test is a substring ``LIKE``, the repeat window starts a day early), and
``scheduler.draw.frame.build_frame`` then applies the exact rule to it. Every entity
the frame can contain is read with all its frame columns, ratings and recent
inspections, so the frame, its ``frame_sha256`` and hence the draw are those
of the whole directory (``tests/unit_draw/test_db_scope.py`` checks it table for table).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

import pandas as pd
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    and_,
    false,
    literal,
    or_,
    select,
    true,
)

from scheduler.data.directory import Directory, empty_table, sectors_by_department
from scheduler.data.formats import TABLES
from scheduler.data.reference import PUBLIC_DEPARTMENT
from scheduler.draw.frame import FRAME_INPUT, FrameRules
from scheduler.store.engine import in_chunks
from scheduler.store.readback import read_table
from scheduler.store.tables import DB_TABLES

__all__ = ["frame_directory", "staffing_directory", "REFERENCE_TABLES"]

REFERENCE_TABLES = ("departments", "sectors", "regions")
"""Small tables every task reads whole (codes are validated against them)."""


def _references(connection: Connection) -> dict[str, pd.DataFrame]:
    return {name: read_table(connection, name) for name in REFERENCE_TABLES}


@contextmanager
def _scope_keys(connection: Connection, scope: ColumnElement[bool]) -> Iterator[Table]:
    """A temporary table of the USCCs of the entities in ``scope``, dropped afterwards.

    The ratings and history reads join it through their ``uscc`` indexes
    instead of evaluating the scope's condition again each. It is filled by
    one ``INSERT ... SELECT`` in the database: sending the keys back row by
    row took 11 s for one division at province size on PostgreSQL. Only the
    connection's temporary schema is written. SQLite's driver creates the table
    outside the transaction it rolls back, so a read that failed half-way can
    leave it behind on a pooled connection: it is dropped first if present, and
    the caller commits the final drop.
    """
    keys = Table(
        "scope_uscc",
        MetaData(),
        Column("uscc", String(18), primary_key=True),
        prefixes=["TEMPORARY"],
    )
    keys.drop(connection, checkfirst=True)
    keys.create(connection)
    try:
        entity = DB_TABLES["entities"]
        connection.execute(keys.insert().from_select(["uscc"], select(entity.c.uscc).where(scope)))
        yield keys
    finally:
        keys.drop(connection)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _scope_condition(rules: FrameRules, sectors: tuple[str, ...]) -> ColumnElement[bool]:
    """Entities that may be in the frame: a superset of ``frame._supervised`` and the filters."""
    entity = DB_TABLES["entities"]
    conditions: list[ColumnElement[bool]] = []
    if rules.regions:
        conditions.append(entity.c.region_code.in_(rules.regions))
    if rules.entity_types:
        conditions.append(entity.c.entity_type.in_(rules.entity_types))
    if sectors:
        # A code inside the ``;``-list is a substring of it; the exact list test follows in
        # ``build_frame``. (``LIKE`` is case-insensitive on SQLite: still a superset.)
        conditions.append(
            or_(
                *(
                    entity.c.sectors.like(f"%{_like_escaped(code)}%", escape="\\")
                    for code in sectors
                )
            )
        )
    else:
        conditions.append(false())
    return and_(*conditions)


def frame_directory(engine: Engine, rules: FrameRules) -> Directory:
    """What ``build_frame(directory, rules)`` reads, for the entities it can contain.

    ``build_frame`` over the result equals ``build_frame`` over
    ``directory_from_db(engine)`` (same units, order, tiers and exclusions).
    Codes in ``rules`` are not checked here: ``build_frame`` checks them
    against the reference tables, which are read whole.
    """
    departments = (rules.department_code, *rules.joint_departments)
    with engine.begin() as connection:  # commits the drop of the temporary table
        tables = _references(connection)
        by_department = sectors_by_department(Directory.from_tables(tables))
        sectors = rules.sectors or tuple(
            sorted(set().union(*(by_department.get(code, ()) for code in departments)))
        )
        entity, rating, history, commitment = (
            DB_TABLES[n] for n in ("entities", "ratings", "history", "commitments")
        )
        scope = _scope_condition(rules, sectors)
        if rules.verify_commitments is not None:
            # 承诺核查 forces in entities of the regions whatever their sectors: every
            # entity with a commitment to the department (the exact rule follows in
            # ``build_frame``), and those commitments.
            committed = commitment.c.department_code == rules.department_code
            in_regions = entity.c.region_code.in_(rules.regions) if rules.regions else true()
            scope = or_(
                scope,
                and_(in_regions, entity.c.uscc.in_(select(commitment.c.uscc).where(committed))),
            )
            tables["commitments"] = read_table(connection, "commitments", where=committed)
        tables["entities"] = read_table(
            connection, "entities", columns=FRAME_INPUT["entities"], where=scope
        )
        with _scope_keys(connection, scope) as keys:
            in_scope = select(keys.c.uscc)
            sources = {PUBLIC_DEPARTMENT, *departments}
            tables["ratings"] = read_table(
                connection,
                "ratings",
                where=and_(
                    rating.c.department_code.in_(sorted(sources)), rating.c.uscc.in_(in_scope)
                ),
            )
            months = max([rules.repeat_window_months, *(m for _, m in rules.tier_months)])
            if months > 0:
                day = pd.Timestamp(rules.on)
                since = (day - pd.DateOffset(months=months)).date()
                tables["history"] = read_table(
                    connection,
                    "history",
                    columns=FRAME_INPUT["history"],
                    where=and_(
                        history.c.department_code.in_(departments),
                        history.c.inspected_on >= literal(since, history.c.inspected_on.type),
                        history.c.inspected_on <= literal(rules.on, history.c.inspected_on.type),
                        history.c.uscc.in_(in_scope),
                    ),
                )
    return Directory.from_tables(tables)


def staffing_directory(engine: Engine, usccs: Collection[str]) -> Directory:
    """What staffing, checking and diagnosing the visits to ``usccs`` read.

    The reference tables and every inspector (a few thousand rows), and the
    entities, conflicts and inspection history of ``usccs`` only: the rules
    (回避, rotation, divisions, sectors) of a visit depend on its own entity's
    rows, never on another entity's.
    """
    wanted = sorted(set(usccs))
    with engine.connect() as connection:
        tables = _references(connection)
        tables["inspectors"] = read_table(connection, "inspectors")
        for name in ("entities", "conflicts", "history"):
            table = DB_TABLES[name]
            parts = [
                read_table(connection, name, where=table.c.uscc.in_(chunk))
                for chunk in in_chunks(wanted)
            ]
            tables[name] = (
                pd.concat(parts, ignore_index=True).sort_values(
                    list(TABLES[name].key), kind="stable", ignore_index=True
                )
                if parts
                else empty_table(name)
            )
    return Directory.from_tables(tables)
