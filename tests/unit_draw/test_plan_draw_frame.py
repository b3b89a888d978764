"""A plan drawn from an already built frame (the dashboard's preview) is the plan's own draw."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from scheduler.data.importing.reader import read_folder
from scheduler.data.reference import tier_scheme
from scheduler.draw.db_scope import frame_directory
from scheduler.draw.frame import build_frame
from scheduler.draw.plans import (
    built_from,
    create_plan,
    draw_rows,
    get_plan,
    plan_parameters,
    run_plan_draw,
)
from scheduler.draw.policy import make_policy
from scheduler.store.engine import init_db, make_engine, session_scope
from scheduler.store.loader import load_directory

PLANS = [
    {"department_code": "MARKET", "regions": ("370702",), "start": date(2026, 3, 1)},
    {
        "department_code": "MARKET",
        "regions": ("370702", "370784"),
        "start": date(2026, 11, 26),
        "end": date(2026, 12, 31),
        "verify_commitments": True,
        "joint_departments": ("TAX",),
    },
    {"department_code": "HEALTH", "start": date(2026, 6, 30), "tier_months": {}},
]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> list[Engine]:
    """Two databases with the same directory: one draws with the frame, one without."""
    folder = read_folder(sample_dir)
    made = []
    for name in ("given", "built"):
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp(name) / 'db.sqlite'}")
        init_db(engine)
        load_directory(engine, folder)
        made.append(engine)
    yield made
    for engine in made:
        engine.dispose()


def _plan(engine: Engine, fields: dict) -> int:
    policy = make_policy(tier_scheme(), preset_name="weifang-default")
    with session_scope(engine) as session:
        return int(create_plan(session, policy=policy, actor="test", **fields).id or 0)


@pytest.mark.parametrize("fields", PLANS, ids=lambda f: f["department_code"])
@pytest.mark.parametrize("seed", [7, 20260101])
def test_draw_from_the_preview_frame_is_the_draw_built_again(
    engines: list[Engine], fields: dict, seed: int
) -> None:
    given_engine, built_engine = engines
    given_id, built_id = _plan(given_engine, fields), _plan(built_engine, fields)
    with session_scope(given_engine) as session:
        rules = plan_parameters(get_plan(session, given_id)).rules
    frame = build_frame(frame_directory(given_engine, rules), rules)
    assert built_from(frame, rules)
    given = run_plan_draw(given_engine, given_id, seed, actor="test", frame=frame)
    built = run_plan_draw(built_engine, built_id, seed, actor="test")
    assert given.frame is frame
    assert given.draw_id == built.draw_id
    moment = {"created_at": None}  # the draws are recorded at different seconds
    assert given.receipt | moment == built.receipt | moment
    pd.testing.assert_frame_equal(given.rows, built.rows)
    pd.testing.assert_frame_equal(
        draw_rows(given_engine, given.draw_id), draw_rows(built_engine, built.draw_id)
    )


def test_a_frame_of_other_rules_is_not_used(engines: list[Engine]) -> None:
    engine = engines[0]
    plan_id = _plan(engine, PLANS[0])
    with session_scope(engine) as session:
        rules = plan_parameters(get_plan(session, plan_id)).rules
    other = replace(rules, regions=("370784",))
    frame = build_frame(frame_directory(engine, other), other)
    assert not built_from(frame, rules)
    result = run_plan_draw(engine, plan_id, 3, actor="test", frame=frame)
    assert result.frame is not frame
    assert set(result.rows["region_code"]) == {"370702"}
