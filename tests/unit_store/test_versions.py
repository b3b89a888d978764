"""Directory versions: a re-load skips unchanged files; edits and new loads make new versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from scheduler.cli import main
from scheduler.data.formats import TABLE_ORDER
from scheduler.store.engine import make_engine, session_scope
from scheduler.store.loader import directory_from_db
from scheduler.store.models import AuditEvent, DirectoryVersion, Entity
from scheduler.store.versions import current_version, folder_fingerprints, unchanged_tables


@pytest.fixture
def folder(tmp_path: Path, sample_dir: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(sample_dir, target)
    return target


def _load(folder: Path, url: str) -> None:
    assert main(["db", "load", str(folder), "--url", url]) == 0


def _versions(engine: Engine) -> list[DirectoryVersion]:
    with Session(engine) as session:
        return list(session.execute(select(DirectoryVersion)).scalars())


def test_reload_of_an_unchanged_folder_writes_nothing(sample_db: str, folder: Path) -> None:
    url = sample_db  # these files loaded by `scheduler db load`, once, and copied
    engine = make_engine(url)
    assert unchanged_tables(engine, folder_fingerprints(folder)) == set(TABLE_ORDER)
    _load(folder, url)
    versions = _versions(engine)
    assert [v.kind for v in versions] == ["load"]
    with Session(engine) as session:
        loads = [
            e for e in session.execute(select(AuditEvent)).scalars() if e.kind == "directory.load"
        ]
    assert len(loads) == 1


def test_reload_writes_only_the_changed_table(sample_db: str, folder: Path) -> None:
    url = sample_db  # these files loaded by `scheduler db load`, once, and copied
    inspectors = pd.read_csv(folder / "inspectors.csv", dtype=str, keep_default_na=False)
    inspectors.loc[0, "capacity"] = "77"
    inspectors.to_csv(folder / "inspectors.csv", index=False)
    engine = make_engine(url)
    assert unchanged_tables(engine, folder_fingerprints(folder)) == set(TABLE_ORDER) - {
        "inspectors"
    }
    _load(folder, url)
    assert [v.kind for v in _versions(engine)] == ["load", "load"]
    stored = directory_from_db(engine).inspectors
    row = stored.loc[stored["inspector_id"] == inspectors.loc[0, "inspector_id"]]
    assert int(row["capacity"].iloc[0]) == 77
    with Session(engine) as session:
        details = [
            e.details
            for e in session.execute(select(AuditEvent)).scalars()
            if e.kind == "directory.load"
        ][-1]
    assert details["skipped"] == sorted(set(TABLE_ORDER) - {"inspectors"})
    assert details["written"]["inspectors"] == len(inspectors)


def test_an_edit_outside_a_load_makes_the_next_load_write_everything(
    sample_db: str, folder: Path
) -> None:
    url = sample_db  # these files loaded by `scheduler db load`, once, and copied
    engine = make_engine(url)
    with session_scope(engine) as session:
        entity = session.execute(select(Entity).limit(1)).scalars().one()
        entity.name = "edited by hand"
    assert current_version(engine.connect())["kind"] == "edit"
    assert unchanged_tables(engine, folder_fingerprints(folder)) == set()
    _load(folder, url)
    names = directory_from_db(engine).entities["name"]
    assert "edited by hand" not in set(names)


def test_a_deleted_row_makes_its_table_changed(sample_db: str, folder: Path) -> None:
    """Row counts guard against writes that bypass the ORM (raw SQL)."""
    url = sample_db  # these files loaded by `scheduler db load`, once, and copied
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "DELETE FROM conflict WHERE rowid = (SELECT min(rowid) FROM conflict)"
        )
    assert "conflicts" not in unchanged_tables(engine, folder_fingerprints(folder))


def test_bad_folder_after_a_load_is_still_refused_with_nothing_written(
    sample_db: str, folder: Path
) -> None:
    url = sample_db  # these files loaded by `scheduler db load`, once, and copied
    ratings = pd.read_csv(folder / "ratings.csv", dtype=str, keep_default_na=False)
    ratings.loc[3, "tier"] = "Z"
    ratings.to_csv(folder / "ratings.csv", index=False)
    assert main(["db", "load", str(folder), "--url", url]) == 2
    assert [v.kind for v in _versions(make_engine(url))] == ["load"]
