"""Versions of the directory in the database: what a re-load may skip, what a summary is of.

Every load appends a ``DirectoryVersion`` with a SHA-256 fingerprint of each
table's source file and the rows each table holds after it. A later load of a
folder whose file for a table has the same fingerprint, into a database whose
table still holds the recorded number of rows, need not write that table
again: the upsert would change nothing. A folder with no changed file is not
even parsed (a 1.48M-entity re-load: seconds instead of a minute).

Writes to the directory tables outside a load (a tier change, a recorded
inspection result) go through the ORM; a ``before_flush`` hook
(``scheduler.store.models.core``, so it is active wherever the models are) appends an
``edit`` version for them, which has no fingerprints, so the next load writes
every table and summaries of the earlier version are not reused.

Summaries (``DirectorySummary``) are keyed by the version they were computed
from: computed once per load and read by every dashboard process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from scheduler.data.formats import TABLE_ORDER
from scheduler.store.models.core import DirectorySummary, DirectoryVersion
from scheduler.store.tables import DB_TABLES, count_rows

__all__ = [
    "folder_fingerprints",
    "current_version",
    "unchanged_tables",
    "record_version",
    "summary",
]

VERSIONS = DirectoryVersion.__table__  # type: ignore[attr-defined]
SUMMARIES = DirectorySummary.__table__  # type: ignore[attr-defined]
_BLOCK = 1 << 20


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256(path.name.lower().encode())
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def folder_fingerprints(folder: str | Path) -> dict[str, str]:
    """Table -> fingerprint of its file in ``folder`` (``""`` if the table has no file).

    A table without a file (a built-in reference table, an optional table) has
    no fingerprint and so is never skipped: what it stands for can change
    with the program.
    """
    files = [
        p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(("~$", "."))
    ]
    out = {}
    for name in TABLE_ORDER:
        found = [p for p in files if p.stem.lower() == name]
        out[name] = _file_digest(found[0]) if len(found) == 1 else ""
    return out


def current_version(connection: Connection) -> dict[str, Any] | None:
    """The latest version (``id``, ``kind``, ``fingerprints``, ``counts``), or ``None``."""
    row = connection.execute(select(VERSIONS).order_by(VERSIONS.c.id.desc()).limit(1)).first()
    return dict(row._mapping) if row is not None else None


def unchanged_tables(engine: Engine, fingerprints: dict[str, str]) -> set[str]:
    """Tables whose source file and row count are those of the latest load."""
    with engine.connect() as connection:
        latest = current_version(connection)
        if latest is None or latest["kind"] != "load":
            return set()
        return {
            name
            for name, digest in fingerprints.items()
            if digest
            and latest["fingerprints"].get(name) == digest
            and latest["counts"].get(name) == count_rows(connection, DB_TABLES[name])
        }


def record_version(
    connection: Connection,
    kind: str,
    *,
    fingerprints: dict[str, str] | None = None,
    counts: dict[str, int] | None = None,
) -> int:
    """Append a version inside the caller's transaction; returns its id."""
    result = connection.execute(
        insert(VERSIONS).values(kind=kind, fingerprints=fingerprints or {}, counts=counts or {})
    )
    key = result.inserted_primary_key
    assert key is not None  # an insert of one row
    return int(key[0])


def summary(engine: Engine, name: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Summary ``name`` of the current directory version: stored, or computed once and stored.

    ``compute`` returns a JSON-able dict. Two processes computing it at the
    same time both get the same value; the second insert is dropped.
    """
    with engine.connect() as connection:
        latest = current_version(connection)
        version = latest["id"] if latest is not None else None
        if version is not None:
            found = connection.execute(
                select(SUMMARIES.c.payload).where(
                    SUMMARIES.c.version_id == version, SUMMARIES.c.name == name
                )
            ).first()
            if found is not None:
                return dict(found[0])
    payload = compute()
    if version is not None:
        store_summary(engine, version, name, payload)
    return payload


def store_summary(engine: Engine, version: int, name: str, payload: dict[str, Any]) -> None:
    """Keep ``payload`` as summary ``name`` of ``version`` (first writer wins)."""
    from scheduler.store.engine import insert_if_absent

    with engine.begin() as connection:
        insert_if_absent(
            connection, SUMMARIES, {"version_id": version, "name": name, "payload": payload}
        )
