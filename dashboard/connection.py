"""The dashboard's database: one engine per URL for the whole server, schema upgraded once.

Its own module so that everything above it (the sign-in gate, the cached reads)
can reach the database without importing each other.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

__all__ = ["database_url", "engine", "engine_for"]


def database_url() -> str:
    from scheduler.settings import get_settings

    return get_settings().database_url


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    from scheduler.store.engine import init_db, make_engine

    engine = make_engine(url)
    init_db(engine)
    return engine


def engine() -> Engine:
    """The engine of the configured database, schema created on first use."""
    return engine_for(database_url())
