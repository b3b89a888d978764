"""Shared plumbing of the pages: the engine, cached reads, and error display.

Pages stay thin: they read widgets, call one ``scheduler`` function and render.
What every page needs once lives here: one engine per database URL
(``st.cache_resource``), the directory loaded once and shared by all sessions
(a 1M-row frame is held, not copied), and one way to show a library error.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard.i18n import t
from scheduler.directory import Directory
from scheduler.errors import InfeasiblePlanError, InvalidInputError, SchedulerError

__all__ = [
    "database_url",
    "engine",
    "directory",
    "cached_frame",
    "audit",
    "current_actor",
    "refresh",
    "upstream",
    "missing",
    "show_error",
    "problems_frame",
    "key",
    "flash",
    "show_flash",
]


def database_url() -> str:
    from scheduler.settings import get_settings

    return get_settings().database_url


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    from scheduler.db import init_db, make_engine

    engine = make_engine(url)
    init_db(engine)
    return engine


def engine() -> Engine:
    """The engine of the configured database, schema created on first use."""
    return _engine(database_url())


@st.cache_resource(show_spinner=False)
def _directory(url: str) -> Directory | None:
    from scheduler.loader import directory_from_db

    loaded = directory_from_db(_engine(url))
    return None if loaded is None or loaded.entities.empty else loaded


def directory() -> Directory | None:
    """The directory stored in the database, or ``None`` while it is empty.

    Cached as a resource: every session shares one read-only copy, which is
    what keeps a million-entity directory interactive after the first load.
    """
    if upstream("scheduler.loader") is None:
        return None
    return _directory(database_url())


@st.cache_resource(show_spinner=False, max_entries=16)
def _frame(url: str, data_id: int, rules: Any) -> Any:
    from scheduler.frame import build_frame

    data = _directory(url)
    if data is None:
        raise LookupError("no directory in the database")
    return build_frame(data, rules)


def cached_frame(rules: Any) -> Any:
    """The sampling frame of ``rules`` over the shared directory, built once per rules.

    The commitment, the preview and the draw all need the same frame; on a
    million entities building it is the slow step, so it is shared, not copied.
    """
    data = directory()
    return _frame(database_url(), id(data), rules)


def current_actor() -> str:
    """Who acts, for the audit log: the signed-in user's e-mail, or ``"local"`` in local mode."""
    from dashboard.access import current_user

    user = current_user()
    return user.email if user is not None else "anonymous"


def audit(kind: str, subject: str, details: dict | None = None) -> None:
    """Append an event to the audit log (its own transaction)."""
    from scheduler.db import record_event, session_scope

    with session_scope(engine()) as session:
        record_event(session, kind, subject=subject, details=details or {}, actor=current_actor())


def refresh() -> None:
    """Forget cached reads after the database changed (an import, a new draw)."""
    _directory.clear()
    _frame.clear()
    st.cache_data.clear()


def upstream(module: str) -> ModuleType | None:
    """Import a ``scheduler`` module that may not exist yet in this build, else ``None``."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            return None
        raise


def missing(what: str) -> None:
    """Say plainly that a part of the workflow is not available in this build."""
    st.info(t("Not available yet: {what}.", what=what))


def problems_frame(error: InvalidInputError) -> pd.DataFrame:
    """The problems of an input error as a table (file, row, column, reason)."""
    return pd.DataFrame(
        [
            {
                t("File"): p.file,
                t("Row"): "" if p.row is None else str(p.row),
                t("Column"): p.column or "",
                t("Reason"): p.reason,
            }
            for p in error.problems
        ],
        columns=[t("File"), t("Row"), t("Column"), t("Reason")],
    )


def show_error(error: SchedulerError) -> None:
    """Render a library error: a message, plus the problem table or diagnosis."""
    if isinstance(error, InvalidInputError) and error.problems:
        st.error(t("{n} problem(s) in the input.", n=len(error.problems)))
        st.dataframe(problems_frame(error), hide_index=True, width="stretch")
    elif isinstance(error, InfeasiblePlanError):
        st.error(t("The plan cannot be staffed as it stands: {msg}", msg=str(error)))
    else:
        st.error(str(error))


def flash(message: str) -> None:
    """A success message shown once, after the rerun that follows an action."""
    st.session_state["state__flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("state__flash", None)
    if message:
        st.success(message)


def key(page: str, name: str) -> str:
    """A page-local session-state key, so pages never collide."""
    return f"{page}__{name}"
