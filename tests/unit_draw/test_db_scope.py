"""The database-side selection gives the frame, draw and staffing of the whole directory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from scheduler.data.directory import Directory
from scheduler.data.importing.reader import read_folder
from scheduler.data.reference import tier_scheme
from scheduler.draw.db_scope import frame_directory, staffing_directory
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.policy import make_policy
from scheduler.draw.run import DrawParameters, run_draw
from scheduler.store.engine import init_db, make_engine
from scheduler.store.loader import directory_from_db, load_directory

RULES = [
    FrameRules("MARKET", date(2026, 3, 1)),
    FrameRules("MARKET", date(2026, 3, 1), regions=("370702",)),
    FrameRules("MARKET", date(2026, 11, 26), regions=("370702", "370784"), entity_types=("企业",)),
    FrameRules("HEALTH", date(2026, 6, 30), repeat_window_months=24),
    FrameRules("ENVIRONMENT", date(2026, 3, 1), repeat_window_months=0),
    FrameRules("TAX", date(2026, 3, 1), sectors=("taxpayer",), repeat_exempt_tiers=()),
    # issue 15: joint frames, repeat control by tier, commitment checks
    FrameRules("MARKET", date(2026, 3, 1), joint_departments=("TAX", "HEALTH")),
    FrameRules(
        "MARKET",
        date(2026, 3, 1),
        regions=("370702",),
        tier_months=(("A", 24), ("B", 12), ("C", 6), ("D", 3)),
    ),
    FrameRules("MARKET", date(2026, 11, 26), verify_commitments=date(2026, 12, 31)),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> tuple[Engine, Directory]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('scope') / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, read_folder(sample_dir))
    yield engine, directory_from_db(engine)
    engine.dispose()


def assert_same_frame(engine: Engine, whole: Directory, rules: FrameRules) -> None:
    scoped = frame_directory(engine, rules)
    assert len(scoped.entities) < len(whole.entities)
    expected, got = build_frame(whole, rules), build_frame(scoped, rules)
    assert len(expected.units) > 0
    pd.testing.assert_frame_equal(got.units, expected.units)
    pd.testing.assert_frame_equal(got.excluded, expected.excluded)


@pytest.mark.parametrize("rules", RULES, ids=lambda r: f"{r.department_code}-{r.regions}")
def test_frame_from_the_database_equals_the_whole_directory_frame(
    loaded: tuple[Engine, Directory], rules: FrameRules
) -> None:
    assert_same_frame(*loaded, rules)


def test_repeat_control_and_exclusions_are_kept(loaded: tuple[Engine, Directory]) -> None:
    """The sample's MARKET frame excludes recently inspected entities: the history is read."""
    engine, whole = loaded
    frame = build_frame(frame_directory(engine, RULES[0]), RULES[0])
    reasons = frame.excluded["reason"]
    assert reasons.str.startswith("inspected by MARKET").any()
    assert reasons.str.startswith("status").any()


@pytest.mark.parametrize("seed", [1, 20261126])
def test_draw_from_the_database_scope_is_the_old_draw(
    loaded: tuple[Engine, Directory], seed: int
) -> None:
    engine, whole = loaded
    parameters = DrawParameters(
        rules=RULES[1], policy=make_policy(tier_scheme(None), preset_name="weifang-default")
    )
    old = run_draw(whole, parameters, seed)
    new = run_draw(frame_directory(engine, RULES[1]), parameters, seed)
    assert new.draw_id == old.draw_id
    assert new.receipt["frame_sha256"] == old.receipt["frame_sha256"]
    assert new.rows["uscc"].tolist() == old.rows["uscc"].tolist()
    pd.testing.assert_frame_equal(new.reserves, old.reserves)


def _temporary_tables(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT name FROM sqlite_temp_master WHERE type='table'")
        return [name for (name,) in rows]


def test_the_scope_keys_table_leaves_no_trace(loaded: tuple[Engine, Directory]) -> None:
    """The ratings and history are read through a temporary table of the scope's keys:
    dropped afterwards, and one left behind on a pooled connection (a read that failed
    half-way) does not stop the next read."""
    engine, whole = loaded
    rules = RULES[1]
    first = build_frame(frame_directory(engine, rules), rules)
    assert _temporary_tables(engine) == []
    with engine.connect() as connection:  # the pool hands this connection out again
        connection.exec_driver_sql("CREATE TEMPORARY TABLE scope_uscc (uscc VARCHAR(18))")
        connection.exec_driver_sql("INSERT INTO scope_uscc VALUES ('not an entity')")
        connection.commit()
    assert _temporary_tables(engine) == ["scope_uscc"]
    again = build_frame(frame_directory(engine, rules), rules)
    pd.testing.assert_frame_equal(again.units, first.units)
    pd.testing.assert_frame_equal(again.units, build_frame(whole, rules).units)
    assert _temporary_tables(engine) == []


def test_staffing_directory_holds_every_row_of_the_wanted_entities(
    loaded: tuple[Engine, Directory],
) -> None:
    engine, whole = loaded
    wanted = whole.entities["uscc"].iloc[::50].tolist()
    scoped = staffing_directory(engine, wanted)
    for name in ("entities", "conflicts", "history"):
        table = whole.table(name)
        expected = table[table["uscc"].isin(wanted)].reset_index(drop=True)
        pd.testing.assert_frame_equal(scoped.table(name), expected, check_dtype=False)
    pd.testing.assert_frame_equal(scoped.inspectors, whole.inspectors)
    assert scoped.ratings.empty


def test_staffing_from_the_database_scope_is_the_old_staffing(
    loaded: tuple[Engine, Directory],
) -> None:
    """``assign --draw-id`` reads only the drawn entities' rows: same teams, days and reasons."""
    from scheduler.matching import AssignSettings, assign
    from scheduler.matching.tasks import DrawInput

    engine, whole = loaded
    parameters = DrawParameters(
        rules=RULES[2], policy=make_policy(tier_scheme(None), preset_name="weifang-default")
    )
    drawn = run_draw(whole, parameters, 7)
    draws = [DrawInput(drawn.draw_id, "MARKET", drawn.rows)]
    settings = AssignSettings(allow_partial=True)
    window = {"start": date(2026, 12, 1), "end": date(2026, 12, 31)}
    old = assign(whole, draws, settings=settings, rng=5, **window)
    scoped = staffing_directory(engine, drawn.rows["uscc"])
    new = assign(scoped, draws, settings=settings, rng=5, **window)
    assert len(old.assignments) >= 10
    assert new.assignments == old.assignments
    assert new.unassigned == old.unassigned
