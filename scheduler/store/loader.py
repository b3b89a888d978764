"""Bulk load of a validated ``Directory`` into the database, and back.

The load is one transaction: every table is upserted by its natural key
(``scheduler.data.formats.TABLES[...].key``) with SQLAlchemy Core ``insert`` and
executemany in chunks, so a million entities take seconds, not the hours an
ORM object per row would. The upsert uses the dialect's own
``INSERT ... ON CONFLICT`` (SQLite and PostgreSQL share the syntax); rows
already in the database but absent from the directory are kept. A first load
into empty PostgreSQL tables uses ``COPY``.

This module orders the tables, times and audits the load; the write paths
live in ``scheduler.store.bulk_write``, the table mapping and length check in
``scheduler.store.tables`` and the read-back in ``scheduler.store.readback``, all
re-exported here so callers import from one place.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import Engine

from scheduler.data.directory import Directory
from scheduler.data.formats import TABLE_ORDER, TABLES
from scheduler.store.audit_chain import lock_for_write
from scheduler.store.bulk_write import (
    Progress,
    analyze,
    use_large_cache,
    write_qualifications,
    write_table,
)
from scheduler.store.bulk_write import _upsert as _upsert  # re-exported for tests
from scheduler.store.engine import record_event, session_scope
from scheduler.store.readback import directory_from_db
from scheduler.store.tables import (
    CHUNK_ROWS,
    DB_TABLES,
    QUALIFICATIONS,
    check_lengths,
    count_rows,
)
from scheduler.store.versions import record_version
from scheduler.views.overview_store import store_overview

__all__ = [
    "LoadReport",
    "load_directory",
    "check_lengths",
    "directory_from_db",
    "row_counts",
    "DB_TABLES",
    "CHUNK_ROWS",
]


@dataclass(frozen=True)
class LoadReport:
    """What a load did: rows written per table and how many of them were new."""

    written: dict[str, int]
    inserted: dict[str, int]
    qualifications: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    """Rows per table in the database after the load."""
    table_seconds: dict[str, float] = field(default_factory=dict)
    """Wall time spent writing each table."""


def load_directory(
    engine: Engine,
    directory: Directory,
    *,
    progress: Progress | None = None,
    actor: str = "system",
    fingerprints: dict[str, str] | None = None,
    skip: Collection[str] = (),
) -> LoadReport:
    """Upsert every table of ``directory`` in one transaction, and audit the load.

    Re-loading the same directory changes nothing (same keys, same values).
    If anything fails, nothing is written; text longer than its column is
    refused first (``check_lengths``). The directory must come from
    ``scheduler.data.importing.reader`` (validated); the database's own constraints are the
    last line of defence, not the validation.

    The load appends a ``DirectoryVersion`` (with the source ``fingerprints``
    if given, see ``scheduler.store.versions``) and stores the overview summary of
    the loaded directory under it. Tables in ``skip`` (unchanged since the
    last load: ``versions.unchanged_tables``) are not written.
    """
    check_lengths(directory)
    started = time.perf_counter()
    written: dict[str, int] = {}
    inserted: dict[str, int] = {}
    counts: dict[str, int] = {}
    table_seconds: dict[str, float] = {}
    with session_scope(engine) as session:
        # one load at a time: a second load into an empty database waits, then upserts
        lock_for_write(session)
        connection = session.connection()
        use_large_cache(connection)
        for name in TABLE_ORDER:
            before = count_rows(connection, DB_TABLES[name])
            if name in skip:
                written[name], inserted[name], counts[name] = 0, 0, before
                continue
            frame = directory.table(name)[list(TABLES[name].column_names)]
            table_started = time.perf_counter()
            write_table(connection, name, frame, progress, empty=before == 0)
            table_seconds[name] = round(time.perf_counter() - table_started, 3)
            counts[name] = count_rows(connection, DB_TABLES[name])
            written[name], inserted[name] = len(frame), counts[name] - before
        qualifications = (
            0 if "inspectors" in skip else write_qualifications(connection, directory.inspectors)
        )
        analyze(connection, [DB_TABLES[n] for n in TABLE_ORDER if n not in skip])
        version = record_version(connection, "load", fingerprints=fingerprints, counts=counts)
        seconds = time.perf_counter() - started
        record_event(
            session,
            "directory.load",
            subject="directory",
            details={
                "written": written,
                "inserted": inserted,
                "qualifications": qualifications,
                "version": version,
                "skipped": sorted(skip),
            },
            actor=actor,
        )
    store_overview(engine, version)  # once per load, read by every dashboard process
    return LoadReport(written, inserted, qualifications, round(seconds, 3), counts, table_seconds)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per directory table in the database (``scheduler db info``)."""
    with engine.connect() as connection:
        counts = {name: count_rows(connection, table) for name, table in DB_TABLES.items()}
        counts["qualifications"] = count_rows(connection, QUALIFICATIONS)
    return counts
