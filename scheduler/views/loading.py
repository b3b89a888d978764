"""The load a user does: the directory stored, then its overview summarised once.

``scheduler.store.loader.load_directory`` writes the directory; the overview is a
view over it, so it is stored from here (once per load, read by every dashboard
process) rather than from the store, which must not depend on views.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from sqlalchemy import Engine

from scheduler.data.directory import Directory
from scheduler.data.importing.stream import CHUNK_BYTES
from scheduler.store.bulk_write import Progress
from scheduler.store.loader import LoadReport, load_directory, load_folder
from scheduler.views.overview_store import store_overview

__all__ = ["load_folder_with_overview", "load_with_overview"]


def load_with_overview(
    engine: Engine,
    directory: Directory,
    *,
    progress: Progress | None = None,
    actor: str = "system",
    fingerprints: dict[str, str] | None = None,
    skip: Collection[str] = (),
) -> LoadReport:
    """``load_directory``, then the overview of the new version stored for every reader."""
    return load_directory(
        engine,
        directory,
        progress=progress,
        actor=actor,
        fingerprints=fingerprints,
        skip=skip,
        after=lambda e, version: store_overview(e, version),
    )


def load_folder_with_overview(
    engine: Engine,
    folder: str | Path,
    *,
    progress: Progress | None = None,
    actor: str = "system",
    fingerprints: dict[str, str] | None = None,
    skip: Collection[str] = (),
    chunk_bytes: int = CHUNK_BYTES,
) -> LoadReport:
    """``load_folder`` (chunk by chunk), then the overview of the new version stored."""
    return load_folder(
        engine,
        folder,
        progress=progress,
        actor=actor,
        fingerprints=fingerprints,
        skip=skip,
        chunk_bytes=chunk_bytes,
        after=lambda e, version: store_overview(e, version),
    )
