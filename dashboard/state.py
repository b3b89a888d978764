"""Shared plumbing of the pages: the engine, cached reads, and error display.

Pages stay thin: they read widgets, call one ``scheduler`` function and render.
What every page needs once lives here: one engine per database URL
(``st.cache_resource``), the directory loaded once and shared by all sessions
(a 1M-row frame is held, not copied), and one way to show a library error.
"""

from __future__ import annotations

import importlib
from datetime import date
from types import ModuleType
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.connection import database_url, engine, engine_for
from dashboard.i18n import t
from scheduler.data.directory import Directory
from scheduler.errors import InfeasiblePlanError, InvalidInputError, SchedulerError

__all__ = [
    "LOCAL_ACTOR",
    "current_actor",
    "database_url",
    "engine",
    "directory",
    "directory_version",
    "small_directory",
    "division_sizes",
    "staffing_directory",
    "export_masker",
    "cached_frame",
    "frame_input",
    "audit",
    "refresh",
    "upstream",
    "missing",
    "show_error",
    "problems_frame",
    "key",
    "flash",
    "show_flash",
]


@st.cache_resource(show_spinner=False)
def _directory(url: str) -> Directory | None:
    from scheduler.store.loader import directory_from_db

    loaded = directory_from_db(engine_for(url))
    return None if loaded is None or loaded.entities.empty else loaded


def directory() -> Directory | None:
    """The directory stored in the database, or ``None`` while it is empty.

    Cached as a resource: every session shares one read-only copy, which is
    what keeps a million-entity directory interactive after the first load.
    """
    if upstream("scheduler.store.loader") is None:
        return None
    return _directory(database_url())


def directory_version() -> int | None:
    """The directory version in the database (a new load or edit makes a new one).

    One indexed query per rerun: what is cached per version is invalidated by
    a load in any process, not by a restart.
    """
    from scheduler.store.versions import current_version

    with engine().connect() as connection:
        latest = current_version(connection)
    return None if latest is None else int(latest["id"])


@st.cache_resource(show_spinner=False, max_entries=4)
def _small(url: str, version: int | None) -> Directory | None:
    from scheduler.store.readback import read_table
    from scheduler.store.tables import DB_TABLES, count_rows

    with engine_for(url).connect() as connection:
        if count_rows(connection, DB_TABLES["entities"]) == 0:
            return None
        names = ("departments", "sectors", "regions", "inspectors", "commitments")
        return Directory.from_tables({n: read_table(connection, n) for n in names})


def small_directory() -> Directory | None:
    """The reference tables, inspectors and commitments (no entity-sized table), or ``None``.

    What the planning pages' choices need; the entities stay in the database
    (a page never holds the whole entity table).
    """
    if upstream("scheduler.store.versions") is None:
        return None
    return _small(database_url(), directory_version())


@st.cache_data(show_spinner=False, max_entries=4)
def _division_sizes(url: str, version: int | None, today: date) -> dict[str, int]:
    from scheduler.views.overview_store import stored_overview

    by_region = stored_overview(engine_for(url), today=today).by_region
    return {
        str(c): int(n) for c, n in zip(by_region["region_code"], by_region["entities"], strict=True)
    }


def division_sizes() -> dict[str, int]:
    """Entities per division code, from the overview stored per directory version (one query).

    What a page checks before reading a selection row by row: how big it would be.
    """
    from scheduler import clock

    return _division_sizes(database_url(), directory_version(), clock.today())


@st.cache_resource(show_spinner=False, max_entries=16)
def _frame_input(url: str, version: int | None, rules: Any) -> Directory:
    from scheduler.draw.db_scope import frame_directory

    return frame_directory(engine_for(url), rules)


def frame_input(rules: Any) -> Directory:
    """The rows of the directory the frame of ``rules`` can hold (what a draw reads)."""
    return _frame_input(database_url(), directory_version(), rules)


@st.cache_resource(show_spinner=False, max_entries=16)
def _frame(url: str, version: int | None, rules: Any) -> Any:
    from scheduler.draw.frame import build_frame

    return build_frame(_frame_input(url, version, rules), rules)


def cached_frame(rules: Any) -> Any:
    """The sampling frame of ``rules``, selected in the database, built once per rules and version.

    The commitment, the preview and the draw all need the same frame; only
    the rows it can hold leave the database (``scheduler.draw.db_scope``).
    """
    return _frame(database_url(), directory_version(), rules)


@st.cache_resource(show_spinner=False, max_entries=8)
def _staffing(
    url: str, version: int | None, draw_id: str, digest: int, _usccs: tuple[str, ...]
) -> Directory:
    # keyed by the tuple's own hash (microseconds), not Streamlit's hashing of 2k strings
    from scheduler.draw.db_scope import staffing_directory as read

    return read(engine_for(url), _usccs)


def staffing_directory(draw_id: str, usccs: tuple[str, ...]) -> Directory:
    """What staffing the visits of draw ``draw_id`` reads: its entities' rows, all inspectors."""
    return _staffing(database_url(), directory_version(), draw_id, hash(usccs), usccs)


@st.cache_resource(show_spinner=False, max_entries=8)
def _masker(
    url: str, version: int | None, draw_id: str, digest: int, _usccs: tuple[str, ...]
) -> Any:
    from scheduler.publication.db_inputs import masker_from_db

    staffing = _staffing(url, version, draw_id, digest, _usccs)
    return masker_from_db(engine_for(url), staffing.entities)


def export_masker(draw_id: str, usccs: tuple[str, ...]) -> Any:
    """The names the public list of draw ``draw_id`` masks: every known person (legal
    representative, inspector) whose name occurs inside its entities' names."""
    return _masker(database_url(), directory_version(), draw_id, hash(usccs), usccs)


LOCAL_ACTOR = "dashboard (local)"
"""The actor of the single-user local mode (no sign-in configured)."""


def current_actor() -> str:
    """Who acts in this dashboard session, as every audit event records it.

    The one place the dashboard decides this: the signed-in user's e-mail;
    ``LOCAL_ACTOR`` in the single-user local mode (no sign-in configured).
    """
    from dashboard.access import current_user
    from scheduler.access.policy import LOCAL_USER

    user = current_user()
    if user is None:
        return "anonymous"  # the page gate stops anonymous users before any action
    return LOCAL_ACTOR if user == LOCAL_USER else user.email


def audit(kind: str, subject: str, details: dict | None = None) -> None:
    """Append an event to the audit log (its own transaction)."""
    from scheduler.store.engine import record_event, session_scope

    with session_scope(engine()) as session:
        record_event(session, kind, subject=subject, details=details or {}, actor=current_actor())


def refresh() -> None:
    """Forget cached reads after the database changed (an import, a new draw)."""
    _directory.clear()
    _small.clear()
    _frame.clear()
    _frame_input.clear()
    _staffing.clear()
    _masker.clear()
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


FIELD_LABELS: dict[str, str] = {
    "reason": "Reason",
    "policy.preset": "Preset",
    "policy.rates": "Own rates",
    "policy.budget": "Inspections in total",
    "policy.weights": "Weights",
    "department": "Department",
    "departments": "Departments",
    "assignment": "Assignment",
    "grid": "Rate grid (start:stop:step per tier)",
    "policies": "Policies to compare",
    "preset": "Preset",
    "joint_tier_rule": "An entity's tier in the joint plan",
}
"""The dashboard's label of each domain field a library error names (``SchedulerError.fields``)."""


def fields_note(error: SchedulerError) -> str:
    """``"（请检查：原因）"``-style note naming the fields of ``error`` as this page labels them."""
    labels = [t(FIELD_LABELS[f]) for f in error.fields if f in FIELD_LABELS]
    if not labels:
        return ""
    return t(" (check: {fields})", fields=t(", ").join(dict.fromkeys(labels)))


def show_error(error: SchedulerError) -> None:
    """Render a library error: a message, plus the problem table or diagnosis."""
    if isinstance(error, InvalidInputError) and error.problems:
        st.error(t("{n} problem(s) in the input.", n=len(error.problems)) + fields_note(error))
        st.dataframe(problems_frame(error), hide_index=True, width="stretch")
    elif isinstance(error, InfeasiblePlanError):
        st.error(t("The plan cannot be staffed as it stands: {msg}", msg=str(error)))
    else:
        st.error(str(error) + fields_note(error))


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
