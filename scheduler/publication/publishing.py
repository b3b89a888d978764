"""Publishing from the database: write the public list of pending results, mark them published."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from scheduler.data.directory import Directory
from scheduler.publication.exports import split_frame
from scheduler.publication.public_list import PUBLIC_COLUMNS, public_list
from scheduler.publication.results import mark_published, pending_frame
from scheduler.publication.writers import Format, write_tables
from scheduler.store.audit_chain import lock_for_write

__all__ = ["publish_pending"]


def publish_pending(
    session: Session,
    directory: Directory,
    *,
    out: str | Path,
    fmt: Format,
    on: date,
    draw_id: str | None = None,
    actor: str = "system",
) -> tuple[list[Path], int]:
    """Write every unpublished result (of ``draw_id``) as the public list; mark them published.

    Marking and writing share the caller's transaction: if writing fails, the
    transaction fails and nothing is marked. The list carries the audit
    chain head after the marking (``scheduler.store.audit_chain``), the public's
    anchor against a later rewrite of the record.
    """
    frame, ids = pending_frame(session, draw_id=draw_id)
    table = public_list(directory, results=frame)
    mark_published(session, ids, on=on, actor=actor)
    head = lock_for_write(session)
    files = write_tables(
        split_frame(table, "none"),
        PUBLIC_COLUMNS,
        out,
        fmt,
        title="抽查结果公示",
        anchor=str(head),
    )
    return files, len(ids)
