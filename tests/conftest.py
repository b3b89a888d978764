"""Fixtures shared across the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# pytest-xdist's workers run with COLUMNS=80, which would narrow the CLI's tables and wrap its
# messages mid-sentence; the tests read the CLI as it prints to a pipe (200 columns).
os.environ["COLUMNS"] = "200"

REPO = Path(__file__).resolve().parent.parent

# shared fixtures, loaded as plugins so their asserts are rewritten too: SQLite databases
# built once and copied per test, the dashboard tests' databases, one private PostgreSQL
# server per session, and the importer tests' minimal folder
pytest_plugins = ("sqlite_support", "dashboard_support", "postgres_support", "importer_support")


FROZEN_TODAY = "2026-11-01"
"""Every test runs on this date (``scheduler.clock``), whatever the wall clock says: a plan's
default window (today + 7 to today + 60 days) stays inside 2026, whose holiday schedule
is official, so no 2027 calendar-fallback warning depends on when the tests run."""


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> str:
    """Freeze ``scheduler.clock.today()`` (also for subprocesses, through the environment)."""
    monkeypatch.setenv("SCHEDULER_TODAY", FROZEN_TODAY)
    return FROZEN_TODAY


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed demo data folder."""
    return REPO / "sample_data"
