"""One directory table written chunk by chunk inside the load's transaction.

A streamed load (``scheduler.store.loader``) hands each table over in chunks,
so a table is never whole in memory. Two ways to write it:

- straight: each chunk goes into the table as it comes (plain ``INSERT`` into
  an empty table, ``COPY`` on PostgreSQL, the upsert otherwise). Used where row
  order is invisible: tables keyed by their natural key alone.
- staged: chunks go into a temporary table of the same columns, and
  ``finish`` copies them across with one ``INSERT ... SELECT ... ORDER BY`` the
  natural key (or the upsert form of it). Used for tables with a surrogate
  ``id`` (ratings, history, commitments): the ids come out numbered in key
  order, as when a whole sorted frame was written, and the database sorts
  (on disk if need be) instead of Python.

Into an empty SQLite table, its secondary indexes are dropped first and made
again in ``finish``: one sort per index instead of a random B-tree insert per
row. SQLite's DDL is transactional, so a failed load leaves them as they were.
Into an empty PostgreSQL table, ``bulk_write.suspend_checks`` drops its plain
indexes, unique constraints and foreign keys, made again in ``finish``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Column, Connection, Index, MetaData, Table, select, true

from scheduler.data.formats import TABLES
from scheduler.store.bulk_write import (
    Progress,
    _copy,
    _execute_many,
    _insert,
    _scalar_default,
    _upsert,
    suspend_checks,
)
from scheduler.store.tables import DB_TABLES

__all__ = ["TableWriter"]


def _bound_columns(connection: Connection, table: Table, columns: list[str]) -> list[str]:
    """The columns an ``INSERT`` of ``columns`` binds: those and the ones with a default."""
    compiled = _insert(connection, table).compile(dialect=connection.dialect, column_keys=columns)
    return list(compiled.positiontup or [] if compiled.positional else compiled.params)


class TableWriter:
    """Writes table ``name`` of the directory chunk after chunk; ``finish`` once at the end."""

    def __init__(
        self,
        connection: Connection,
        name: str,
        *,
        empty: bool,
        progress: Progress | None = None,
        total: int = 0,
    ) -> None:
        self.connection, self.name, self.empty = connection, name, empty
        self.table: Table = DB_TABLES[name]
        self.key = TABLES[name].key
        self.columns = list(TABLES[name].column_names)
        self.progress, self.total, self.done = progress, total, 0
        self.staged = "id" in self.table.c
        self._stage: Table | None = None
        self._indexes: list[Index] = []
        self._restore: Callable[[], None] = lambda: None
        if empty and connection.dialect.name == "sqlite":
            self._drop_indexes()
        elif empty and connection.dialect.name == "postgresql":
            # indexes, unique and foreign keys made again once in ``finish``
            self._restore = suspend_checks(connection, self.table)

    def _drop_indexes(self) -> None:
        """Drop the table's non-unique named indexes (made again in ``finish``)."""
        for index in sorted(self.table.indexes, key=lambda i: str(i.name)):
            if not index.unique:
                self._indexes.append(index)
                index.drop(self.connection)

    def _stage_table(self, frame: pd.DataFrame) -> Table:
        if self._stage is None:
            bound = _bound_columns(self.connection, self.table, list(frame.columns))
            self._stage = Table(
                f"load_stage_{self.table.name}",
                MetaData(),
                *(Column(n, self.table.c[n].type) for n in bound),
                prefixes=["TEMPORARY"],
            )
            self._stage.create(self.connection)
        return self._stage

    def add(self, frame: pd.DataFrame) -> None:
        """Write (or stage) a chunk in the ``Directory`` form."""
        frame = frame[self.columns]
        if self.staged:
            stage = self._stage_table(frame)
            missing = {c.name: _scalar_default(self.table.c[c.name]) for c in stage.c}
            frame = frame.assign(**{n: v for n, v in missing.items() if n not in frame})
            self._write(stage, frame[[c.name for c in stage.c]], plain=True)
        else:
            self._write(self.table, frame, plain=self.empty)
        self.done += len(frame)
        if self.progress is not None:
            self.progress(self.name, self.done, max(self.total, self.done))

    def _write(self, table: Table, frame: pd.DataFrame, *, plain: bool) -> None:
        connection = self.connection
        if plain and connection.dialect.driver == "psycopg":
            _copy(connection, table, frame, None, self.name)
            return
        if plain:
            statement: Any = _insert(connection, table)
        else:
            statement = _upsert(connection, table, self.key, list(frame.columns))
        _execute_many(connection, statement, table, frame, None, self.name)

    def finish(self) -> None:
        """Copy the staged rows across in key order, and make the dropped indexes again."""
        if self._stage is not None:
            stage = self._stage
            names = [c.name for c in stage.c]
            rows = select(*stage.c).where(true()).order_by(*(stage.c[k] for k in self.key))
            if self.empty:
                statement: Any = _insert(self.connection, self.table).from_select(names, rows)
            else:
                upsert = _upsert(self.connection, self.table, self.key, self.columns)
                statement = upsert.from_select(names, rows)
            self.connection.execute(statement)
            stage.drop(self.connection)
            self._stage = None
        for index in self._indexes:
            index.create(self.connection)
        self._indexes = []
        self._restore()
        self._restore = lambda: None
