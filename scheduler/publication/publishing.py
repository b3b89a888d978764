"""Publishing from the database: write the public list of pending results, mark them published."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from scheduler.data.directory import Directory
from scheduler.publication.exports import split_frame
from scheduler.publication.masking import NameMasker
from scheduler.publication.public_list import PUBLIC_COLUMNS, public_list
from scheduler.publication.results import mark_published, pending_frame
from scheduler.publication.writers import Format, write_tables
from scheduler.store.audit_chain import ChainHead, lock_for_write
from scheduler.store.engine import session_scope

__all__ = ["publish_pending", "publish_recorded"]


def publish_recorded(
    engine: Engine,
    *,
    out: str | Path,
    fmt: Format,
    on: date,
    draw_id: str | None = None,
    actor: str = "system",
) -> tuple[list[Path], int, ChainHead]:
    """``publish_pending`` over the stored directory; (files, results, audit chain head).

    Reads the pending results' entities with every inspector
    (``staffing_directory``) and the known names inside those entities' names
    (``masker_from_db``), never the whole entity table (1.48M rows in a city):
    the list is the one the whole directory gives. The chain's lock is taken
    first, so two publishers cannot both list the same pending results.
    """
    from scheduler.draw.db_scope import staffing_directory
    from scheduler.publication.db_inputs import masker_from_db

    with session_scope(engine) as session:
        lock_for_write(session)
        pending, _ = pending_frame(session, draw_id=draw_id)
        directory = staffing_directory(engine, pending["uscc"].astype(str))
        files, count = publish_pending(
            session,
            directory,
            out=out,
            fmt=fmt,
            on=on,
            draw_id=draw_id,
            actor=actor,
            masker=masker_from_db(engine, directory.entities),
        )
        return files, count, lock_for_write(session)


def publish_pending(
    session: Session,
    directory: Directory,
    *,
    out: str | Path,
    fmt: Format,
    on: date,
    draw_id: str | None = None,
    actor: str = "system",
    masker: NameMasker | None = None,
) -> tuple[list[Path], int]:
    """Write every unpublished result (of ``draw_id``) as the public list; mark them published.

    ``masker``: as in ``public_list`` (default: the names of ``directory``).

    Marking and writing share the caller's transaction: if writing fails, the
    transaction fails and nothing is marked. The list carries the audit
    chain head after the marking (``scheduler.store.audit_chain``), the public's
    anchor against a later rewrite of the record.
    """
    frame, ids = pending_frame(session, draw_id=draw_id)
    table = public_list(directory, results=frame, masker=masker)
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
