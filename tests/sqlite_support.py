"""SQLite databases built once per test session and copied for each test that needs one.

Loading ``sample_data/`` (20,000 entities) runs the migrations, validates every file and
writes every row; a copy of the finished file gives a test the same database in a
fraction of the time, and each test still writes only to its own copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def copy_sqlite(source: Path, target: Path) -> None:
    """A closed SQLite database file with its write-ahead log, if one is left."""
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


@pytest.fixture(scope="session")
def sample_db_template(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sample_data/`` loaded once through ``scheduler db load`` into a SQLite file."""
    from scheduler.cli import main

    path = tmp_path_factory.mktemp("sample-db") / "sample.db"
    assert main(["db", "load", str(sample_dir), "--url", f"sqlite:///{path}"]) == 0
    return path


@pytest.fixture
def sample_db(sample_db_template: Path, tmp_path: Path) -> str:
    """The URL of the test's own SQLite database holding ``sample_data/``."""
    path = tmp_path / "sample.db"
    copy_sqlite(sample_db_template, path)
    return f"sqlite:///{path}"
