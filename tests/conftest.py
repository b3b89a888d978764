"""Fixtures shared across the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# fixtures of the dashboard tests (loaded as a plugin so its asserts are rewritten too)
pytest_plugins = ("dashboard_support",)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed demo data folder."""
    return REPO / "sample_data"
