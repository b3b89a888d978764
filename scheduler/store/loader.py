"""Bulk load of a data folder (streamed) or a validated ``Directory`` into the database.

``load_folder`` (``db load``) validates and writes a folder a chunk at a time
(``scheduler.data.importing.stream``), so memory does not grow with the folder;
``load_directory`` writes an in-memory ``Directory`` through the same writer
(``scheduler.store.table_writer``).

The load is one transaction: every table is upserted by its natural key
(``scheduler.data.formats.TABLES[...].key``) with SQLAlchemy Core ``insert`` and
executemany in chunks, so a million entities take seconds, not the hours an
ORM object per row would. The upsert uses the dialect's own
``INSERT ... ON CONFLICT`` (SQLite and PostgreSQL share the syntax); rows
already in the database but absent from the directory are kept. A first load
into empty PostgreSQL tables uses ``COPY``.

This module orders the tables, times and audits the load; the write paths
live in ``scheduler.store.table_writer`` and ``scheduler.store.bulk_write``, the
table mapping and length check in ``scheduler.store.tables`` and the read-back in
``scheduler.store.readback``, all re-exported here so callers import from one place.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from scheduler.data.directory import Directory
from scheduler.data.formats import TABLE_ORDER
from scheduler.data.importing.problems import ProblemLog
from scheduler.data.importing.stream import CHUNK_BYTES, Chunk, FolderStream
from scheduler.store.audit_chain import lock_for_write
from scheduler.store.bulk_write import (
    Progress,
    analyze,
    use_default_cache,
    use_large_cache,
    write_qualifications,
)
from scheduler.store.bulk_write import _upsert as _upsert  # re-exported for tests
from scheduler.store.engine import record_event, session_scope
from scheduler.store.readback import directory_from_db
from scheduler.store.table_writer import TableWriter
from scheduler.store.tables import (
    CHUNK_ROWS,
    DB_TABLES,
    QUALIFICATIONS,
    check_lengths,
    count_rows,
    log_lengths,
)
from scheduler.store.versions import record_version

__all__ = [
    "LoadReport",
    "load_directory",
    "load_folder",
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
    after: Callable[[Engine, int], None] | None = None,
) -> LoadReport:
    """Upsert every table of ``directory`` in one transaction, and audit the load.

    Re-loading the same directory changes nothing (same keys, same values).
    If anything fails, nothing is written; text longer than its column is
    refused first (``check_lengths``). The directory must come from
    ``scheduler.data.importing.reader`` (validated); the database's own constraints are the
    last line of defence, not the validation.

    The load appends a ``DirectoryVersion`` (with the source ``fingerprints``
    if given, see ``scheduler.store.versions``); ``after(engine, version)`` runs
    once the load is committed (``scheduler.views.loading`` stores the overview
    summary there, so the store does not depend on views). Tables in ``skip``
    (unchanged since the last load: ``versions.unchanged_tables``) are not written.
    A data folder is better loaded with ``load_folder``, which never holds it whole.
    """
    check_lengths(directory)
    return _load(engine, _DirectorySource(directory), progress, actor, fingerprints, skip, after)


def load_folder(
    engine: Engine,
    folder: str | Path,
    *,
    progress: Progress | None = None,
    actor: str = "system",
    fingerprints: dict[str, str] | None = None,
    skip: Collection[str] = (),
    chunk_bytes: int = CHUNK_BYTES,
    after: Callable[[Engine, int], None] | None = None,
) -> LoadReport:
    """Validate a data folder and load it as ``load_directory`` would, a chunk at a time.

    Each table is read, checked and written in chunks of about ``chunk_bytes``
    of CSV (``scheduler.data.importing.stream``), so memory does not grow with
    the folder. Chunks are written while no problem has been found; the
    folder's problems (those ``read_folder`` reports, then text too long for
    its column) are raised at the end, inside the transaction: nothing is
    written unless the whole folder is valid. ``progress(table, rows, rows)``
    is called after each chunk (the total is not known before the end).
    """
    return _load(
        engine,
        FolderStream(folder, chunk_bytes=chunk_bytes),
        progress,
        actor,
        fingerprints,
        skip,
        after,
    )


class _Source(Protocol):
    @property
    def failed(self) -> bool: ...

    def chunks(self, name: str) -> Iterator[Chunk]: ...

    def raise_if_any(self) -> None: ...


class _DirectorySource:
    """A validated in-memory ``Directory``, each table as one chunk."""

    failed = False

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def chunks(self, name: str) -> Iterator[Chunk]:
        frame = self.directory.table(name)
        yield Chunk(frame, np.arange(len(frame)) + 2)

    def raise_if_any(self) -> None:
        return None


_DONE = object()


def _ahead(source: _Source, name: str, depth: int = 2) -> Iterator[tuple[Chunk, bool]]:
    """``source.chunks(name)`` read and validated in a thread, up to ``depth`` chunks ahead.

    The next chunk is parsed and checked (Arrow, numpy, pandas) while this one is
    written (the driver releases the GIL while SQLite works): the two cores both
    work. Each chunk comes with ``source.failed`` as of its own checks. The
    thread ends with the table, so the next table sees every earlier one whole.
    """
    out: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        """Queue ``item`` unless the writer has stopped reading; whether it was queued."""
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in source.chunks(name):
                if not put((chunk, source.failed)):
                    return
            put(_DONE)
        except BaseException as error:  # handed to the writing thread, raised there
            put(error)

    thread = threading.Thread(target=produce, name=f"load-{name}", daemon=True)
    thread.start()
    try:
        while (item := out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _load(
    engine: Engine,
    source: _Source,
    progress: Progress | None,
    actor: str,
    fingerprints: dict[str, str] | None,
    skip: Collection[str],
    after: Callable[[Engine, int], None] | None,
) -> LoadReport:
    """Write ``source`` table by table in one transaction; nothing if it reports a problem."""
    started = time.perf_counter()
    written: dict[str, int] = {}
    inserted: dict[str, int] = {}
    counts: dict[str, int] = {}
    table_seconds: dict[str, float] = {}
    too_long = ProblemLog()
    inspectors: list[pd.DataFrame] = []
    with session_scope(engine) as session:
        # one load at a time: a second load into an empty database waits, then upserts
        lock_for_write(session)
        connection = session.connection()
        use_large_cache(connection)
        for name in TABLE_ORDER:
            table_started = time.perf_counter()
            before = count_rows(connection, DB_TABLES[name])
            writer = None
            if name not in skip:
                writer = TableWriter(connection, name, empty=before == 0, progress=progress)
            written[name] = 0
            for chunk, failed in _ahead(source, name):
                written[name] += len(chunk.frame)
                log_lengths(name, chunk.frame, chunk.rows, too_long)
                if name == "inspectors":
                    inspectors.append(chunk.frame[["inspector_id", "qualifications"]])
                if writer is not None and not (failed or too_long):
                    writer.add(chunk.frame)
            if source.failed or too_long:
                continue  # keep reading: every problem of the folder is reported
            if writer is not None:
                writer.finish()
            counts[name] = count_rows(connection, DB_TABLES[name])
            inserted[name] = counts[name] - before
            if name in skip:
                written[name] = 0
            else:
                table_seconds[name] = round(time.perf_counter() - table_started, 3)
        source.raise_if_any()
        too_long.raise_if_any()
        qualifications = 0
        if "inspectors" not in skip:
            frame = pd.concat(inspectors, ignore_index=True)
            qualifications = write_qualifications(connection, frame)
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
        use_default_cache(connection)
    if after is not None:
        after(engine, version)
    return LoadReport(written, inserted, qualifications, round(seconds, 3), counts, table_seconds)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per directory table in the database (``scheduler db info``)."""
    with engine.connect() as connection:
        counts = {name: count_rows(connection, table) for name, table in DB_TABLES.items()}
        counts["qualifications"] = count_rows(connection, QUALIFICATIONS)
    return counts
