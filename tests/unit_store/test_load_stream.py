"""The streamed load (``load_folder``): the rows of the whole-folder load, the same refusals.

Chunks are made tiny here (``chunk_bytes``) so that a few hundred rows span
many chunks: every check that reaches across chunks (duplicate keys,
references, the empty-table check) and the all-or-nothing write are exercised.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from importer_defects import DEFECTS
from importer_support import UNKNOWN, read_text_table, write_text_table
from sqlalchemy import Engine, inspect, text

from scheduler.data.importing.crossrow import KnownValues, SeenKeys, key_hashes
from scheduler.data.importing.reader import read_folder
from scheduler.data.importing.stream import FolderStream
from scheduler.errors import InvalidInputError
from scheduler.store.engine import init_db, make_engine
from scheduler.store.loader import load_folder, row_counts
from scheduler.store.models import AuditEvent, DirectoryVersion
from scheduler.views.loading import load_folder_with_overview, load_with_overview

SMALL = 256
"""Bytes per chunk for the minimal folder: a few rows of each table."""
MEDIUM = 1 << 18
"""Bytes per chunk for the sample folder: 15 chunks of its 20,000 entities."""


def _engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = _engine(tmp_path / "db.sqlite")
    yield engine
    engine.dispose()


def _dump(engine: Engine, *, summaries: bool = True) -> dict[str, list[tuple]]:
    """Every row of every table but the audit log and versions, in primary-key order."""
    out = {}
    skip = {"auditevent", "audithead", "alembic_version", "directory_version"}
    if not summaries:
        skip.add("directory_summary")  # (a new version gets its own summaries)
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            if table in skip:
                continue
            rows = connection.execute(text(f'SELECT * FROM "{table}" ORDER BY 1, 2')).all()
            out[table] = [tuple(r) for r in rows]
    return out


def _schema(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        query = text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
        return [tuple(r) for r in connection.execute(query).all()]


def _events(engine: Engine) -> int:
    with engine.connect() as connection:
        return len(connection.execute(text(f"SELECT id FROM {AuditEvent.__tablename__}")).all())


def _versions(engine: Engine) -> int:
    with engine.connect() as connection:
        table = DirectoryVersion.__tablename__
        return len(connection.execute(text(f"SELECT id FROM {table}")).all())


@pytest.mark.parametrize("chunk_bytes", [MEDIUM, 1 << 24])
def test_stream_reads_what_read_folder_reads(sample_dir: Path, chunk_bytes: int) -> None:
    whole = read_folder(sample_dir)
    stream = FolderStream(sample_dir, chunk_bytes=chunk_bytes)
    for name, frame in whole.tables().items():
        chunks = [c.frame for c in stream.chunks(name)]
        pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), frame)
    assert not stream.failed


def test_streamed_load_writes_the_rows_of_the_whole_folder_load(
    sample_dir: Path, tmp_path: Path
) -> None:
    old, new = _engine(tmp_path / "old.sqlite"), _engine(tmp_path / "new.sqlite")
    load_with_overview(old, read_folder(sample_dir))
    report = load_folder_with_overview(new, sample_dir, chunk_bytes=MEDIUM)
    assert _dump(new) == _dump(old)  # every table, surrogate ids included, and the summaries
    assert _schema(new) == _schema(old)  # the indexes dropped for the load are back as they were
    assert report.counts == {k: v for k, v in row_counts(old).items() if k != "qualifications"}
    assert sum(report.inserted.values()) == sum(report.written.values())
    old.dispose()
    new.dispose()


def test_streamed_reload_is_idempotent_and_upserts_by_key(folder: Path, engine: Engine) -> None:
    load_folder(engine, folder, chunk_bytes=SMALL)
    before = _dump(engine, summaries=False)
    report = load_folder(engine, folder, chunk_bytes=SMALL)
    assert set(report.inserted.values()) == {0}
    assert _dump(engine, summaries=False) == before
    ratings = read_text_table(folder, "ratings")
    ratings.loc[ratings.index[-1], "tier"] = "D"
    write_text_table(folder, "ratings", ratings)
    key = ratings.iloc[-1]
    assert key["tier"] == "D"
    report = load_folder(engine, folder, chunk_bytes=SMALL)
    assert report.inserted["ratings"] == 0
    with engine.connect() as connection:
        tier = connection.execute(
            text("SELECT tier FROM rating WHERE uscc = :u AND department_code = :d"),
            {"u": key["uscc"], "d": key["department_code"]},
        ).scalar_one()
    assert tier == "D"
    assert row_counts(engine)["ratings"] == len(ratings)


@pytest.mark.parametrize(
    ("mutate", "expected"), [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS]
)
def test_streamed_load_refuses_each_defect_and_writes_nothing(
    folder: Path, engine: Engine, mutate: Callable[[Path], None], expected: str
) -> None:
    mutate(folder)
    with pytest.raises(InvalidInputError, match=re.escape(expected)) as caught:
        load_folder(engine, folder, chunk_bytes=SMALL)
    assert expected in [str(p) for p in caught.value.problems]
    assert set(row_counts(engine).values()) == {0}
    assert _events(engine) == 0 and _versions(engine) == 0


def _big_folder(sample_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(sample_dir, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def _load_fails_late(folder: Path, engine: Engine) -> list[str]:
    """Load after a first good load; the error is in a late chunk: nothing changes."""
    before, events = _dump(engine), _events(engine)
    with pytest.raises(InvalidInputError) as caught:
        load_folder(engine, folder, chunk_bytes=MEDIUM)
    assert _dump(engine) == before and _events(engine) == events
    return [str(p) for p in caught.value.problems]


def test_error_in_a_late_chunk_writes_nothing(sample_dir: Path, tmp_path: Path) -> None:
    folder = _big_folder(sample_dir, tmp_path)
    engine = _engine(tmp_path / "fresh.sqlite")
    ratings = read_text_table(folder, "ratings")
    last = len(ratings) + 1  # spreadsheet row of the last rating, many chunks in
    ratings.loc[ratings.index[-1], "tier"] = "Z"
    write_text_table(folder, "ratings", ratings)
    problems = _load_fails_late(folder, engine)
    assert any(p.startswith(f"ratings.csv, row {last}, column 'tier'") for p in problems)
    assert set(row_counts(engine).values()) == {0}
    assert _events(engine) == 0 and _versions(engine) == 0
    engine.dispose()


def test_late_errors_across_chunks_keep_a_loaded_database_as_it_was(
    sample_dir: Path, tmp_path: Path
) -> None:
    folder = _big_folder(sample_dir, tmp_path)
    engine = _engine(tmp_path / "db.sqlite")
    load_folder(engine, folder, chunk_bytes=MEDIUM)
    entities = read_text_table(folder, "entities")
    first_uscc = entities.loc[0, "uscc"]
    entities = pd.concat([entities, entities.iloc[[0]]], ignore_index=True)  # repeat, far below
    entities.loc[0, "name"] = "改过的名称"  # a change that must not be written
    write_text_table(folder, "entities", entities)
    history = read_text_table(folder, "history")
    history.loc[history.index[-1], "uscc"] = UNKNOWN
    write_text_table(folder, "history", history)
    problems = _load_fails_late(folder, engine)
    assert (
        f"entities.csv, row {len(entities) + 1}, column 'uscc': duplicate key "
        f"uscc={first_uscc!r}: rows 2 and {len(entities) + 1}"
    ) in problems
    assert (
        f"history.csv, row {len(history) + 1}, column 'uscc': unknown uscc {UNKNOWN!r}; "
        "not in entities.csv"
    ) in problems
    engine.dispose()


def test_blank_line_late_in_a_file_falls_back_with_right_rows(folder: Path) -> None:
    path = folder / "ratings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    last = lines[-1].split(",")
    last[2] = "Z"  # an unknown tier, after the blank line
    path.write_text("\n".join([*lines[:-1], "", ",".join(last)]) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        read_folder(folder)
    whole = [str(p) for p in caught.value.problems]
    stream = FolderStream(folder, chunk_bytes=64)
    for name in ("departments", "sectors", "regions", "entities", "ratings"):
        list(stream.chunks(name))
    assert [str(p) for p in stream.problems().problems] == whole


def test_known_values_match_exactly_whatever_the_width() -> None:
    known = KnownValues()
    known.add(pd.Series(["B2", "A1"], dtype="str"))
    known.add(pd.Series(["C3xx"], dtype=object))
    asked = pd.Series(["A1", "A", "A1x", "C3xx", "C3xxy", "", "B2"], dtype="str")
    assert known.contains(asked).tolist() == [True, False, False, True, False, False, True]
    assert known.as_set() == {"A1", "B2", "C3xx"}


def test_known_values_stay_exact_when_hashes_collide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every value hashed alike: the byte comparison and the sorted search still decide."""
    from scheduler.data.importing import crossrow

    monkeypatch.setattr(crossrow, "_fixed_hashes", lambda v: np.zeros(len(v), dtype=np.uint64))
    known = KnownValues()
    known.add(pd.Series(["B2", "A1", "C3"], dtype="str"))
    asked = pd.Series(["C3", "A1", "Q", "B2", "A"], dtype="str")
    assert known.contains(asked).tolist() == [True, True, False, True, False]


def test_seen_keys_name_the_first_row_of_a_repeated_key() -> None:
    seen = SeenKeys()
    keys = [pd.DataFrame({"k": [f"K{i}" for i in range(j, j + 5)]}) for j in range(0, 50, 5)]
    for j, chunk in enumerate(keys):
        rows = np.arange(len(chunk)) + 2 + 5 * j
        assert (seen.first_rows(key_hashes(chunk), rows) == -1).all()
    again = pd.DataFrame({"k": ["K7", "new", "K0"]})
    assert seen.first_rows(key_hashes(again), np.array([100, 101, 102])).tolist() == [9, -1, 2]
