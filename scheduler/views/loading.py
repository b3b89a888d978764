"""The load a user does: the directory stored, then its overview summarised once.

``scheduler.store.loader.load_directory`` writes the directory; the overview is a
view over it, so it is stored from here (once per load, read by every dashboard
process) rather than from the store, which must not depend on views.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Engine

from scheduler.data.directory import Directory
from scheduler.store.bulk_write import Progress
from scheduler.store.loader import LoadReport, load_directory
from scheduler.views.overview_store import store_overview

__all__ = ["load_with_overview"]


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
