"""Stored plans carry repeat control by tier: create, draw (db_scope), programme, CLI, dashboard."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from commitments_support import ON, C, make_directory

from scheduler.cli import main
from scheduler.data.reference import default_min_months, preset, tier_scheme
from scheduler.draw.frame import build_frame
from scheduler.draw.plan_months import plan_tier_months, planned_year
from scheduler.draw.plans import create_plan, get_plan, plan_parameters, run_plan_draw
from scheduler.draw.policy import make_policy
from scheduler.draw.run import run_draw
from scheduler.errors import InvalidInputError
from scheduler.store.engine import init_db, make_engine, session_scope
from scheduler.store.loader import directory_from_db, load_directory

PRESET = make_policy(tier_scheme(), preset_name="weifang-default")
RATES = make_policy(tier_scheme(), rates={"A": 0.5, "B": 0.5, "C": 0.5, "D": 0.5})
ts = pd.Timestamp


def with_history():
    """The commitments directory plus inspections where a window and per-tier months differ.

    On 2026-03-01 (tiers: i % 4 -> A for 4, C for 6, D for 7):
    C[4] (A) inspected 14 months ago: kept by a 12-month window, out under A = 24;
    C[6] (C) inspected 7 months ago: out under the window, in under C = 6;
    C[7] (D) inspected 6 weeks ago: in under the window (D exempt), out under D = 3.
    """
    directory = make_directory()
    extra = pd.DataFrame(
        [
            (C[4], "MARKET", ts("2025-01-05"), "", "01"),
            (C[6], "MARKET", ts("2025-07-20"), "", "01"),
            (C[7], "MARKET", ts("2026-01-15"), "", "01"),
        ],
        columns=list(directory.history.columns),
    )
    return replace(directory, history=pd.concat([directory.history, extra], ignore_index=True))


@pytest.fixture
def engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, with_history())
    yield engine
    engine.dispose()


def _plan(engine, **fields) -> int:
    args = {"department_code": "MARKET", "policy": PRESET, "regions": ("370702",), "start": ON}
    with session_scope(engine) as session:
        return int(create_plan(session, actor="test", **(args | fields)).id or 0)


def test_a_new_plan_carries_its_presets_months_unless_told(engine) -> None:
    assert plan_tier_months(PRESET, None) == preset("weifang-default").min_months
    assert plan_tier_months(RATES, None) == default_min_months()
    assert plan_tier_months(RATES, {}) == {}
    default, own, window = (
        _plan(engine),
        _plan(engine, tier_months={"A": 30, "B": 12, "C": 6, "D": 2}),
        _plan(engine, tier_months={}),
    )
    with session_scope(engine) as session:
        rules = [plan_parameters(get_plan(session, p)).rules for p in (default, own, window)]
    assert dict(rules[0].tier_months) == {"A": 24, "B": 12, "C": 6, "D": 3}
    assert dict(rules[1].tier_months) == {"A": 30, "B": 12, "C": 6, "D": 2}
    assert rules[2].tier_months == () and rules[2].repeat_window_months == 12


@pytest.mark.parametrize(
    ("months", "message"),
    [
        ({"A": 24, "B": 12, "C": 6}, "lacks tier 'D'"),
        ({"A": 24, "B": 12, "C": 6, "D": -1}, r"tier_months\['D'\] must be a whole number"),
        ({"A": 24, "B": 12, "C": 6, "D": 3, "E": 1}, "unknown tier 'E'"),
        ({"A": 24.5, "B": 12, "C": 6, "D": 3}, r"tier_months\['A'\]"),
    ],
)
def test_bad_plan_months_are_refused_and_nothing_stored(engine, months, message) -> None:
    with pytest.raises(InvalidInputError, match=message):
        _plan(engine, tier_months=months)
    with session_scope(engine) as session:
        assert planned_year(session, "MARKET", 2026).rounds == 0


def test_plan_draw_applies_the_plans_months_and_db_scope_reads_enough(engine) -> None:
    by_tier, window = _plan(engine), _plan(engine, tier_months={})
    result = run_plan_draw(engine, by_tier, 3, actor="test")
    reasons = dict(zip(result.frame.excluded["uscc"], result.frame.excluded["reason"], strict=True))
    assert "within 24 months" in reasons[C[4]] and "within 3 months" in reasons[C[7]]
    assert C[6] in set(result.frame.units["uscc"])
    assert result.receipt["parameters"]["tier_months"] == {"A": 24, "B": 12, "C": 6, "D": 3}
    plain = run_plan_draw(engine, window, 3, actor="test")
    assert C[4] in set(plain.frame.units["uscc"]) and C[7] in set(plain.frame.units["uscc"])
    assert C[6] in set(plain.frame.excluded["uscc"])
    assert "tier_months" not in plain.receipt["parameters"]
    # The frame selected in the database is the whole directory's: same draw id.
    whole = directory_from_db(engine)
    with session_scope(engine) as session:
        parameters = plan_parameters(get_plan(session, by_tier))
    assert run_draw(whole, parameters, 3).draw_id == result.draw_id
    assert build_frame(whole, parameters.rules).size == result.frame.size


def test_programme_reads_the_years_plans(engine, capsys: pytest.CaptureFixture[str]) -> None:
    own = {"A": 36, "B": 12, "C": 6, "D": 3}
    first = _plan(engine, tier_months=own)
    second = _plan(engine, tier_months=own, start=date(2026, 7, 1))
    _plan(engine, tier_months={}, start=date(2026, 9, 1))  # the single window: no months
    with session_scope(engine) as session:
        year = planned_year(session, "MARKET", 2026)
    assert year.rounds == 3 and year.tier_months == own
    assert (first, second) == year.plan_ids[:2]
    url = str(engine.url)
    assert main(["programme", "--department", "MARKET", "--year", "2026", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "3 rounds" in out and f"months per tier from the 2026 plans [{first}, {second}" in out
    assert "36" in out
    _plan(engine, tier_months={"A": 24, "B": 12, "C": 6, "D": 3}, start=date(2026, 10, 1))
    assert main(["programme", "--department", "MARKET", "--year", "2026", "--url", url]) == 2
    assert "carry different months per tier" in capsys.readouterr().err
    args = ["programme", "--department", "MARKET", "--year", "2026", "--url", url]
    assert main([*args, "--tier-months", "preset"]) == 0
    assert "months per tier from --tier-months" in capsys.readouterr().out


def test_cli_plan_create_and_draw_by_tier(engine, tmp_path: Path, capsys) -> None:
    url = str(engine.url)
    base = ["plan", "create", "--department", "MARKET", "--preset", "weifang-default",
            "--regions", "370702", "--start", "2026-03-01", "--url", url]  # fmt: skip
    assert main([*base, "--tier-months", "A=30,B=12,C=6,D=2"]) == 0
    assert "repeat control by tier A=30,B=12,C=6,D=2 months" in capsys.readouterr().out
    assert main([*base, "--tier-months", "window", "--repeat-window-months", "6"]) == 0
    assert "repeat control 6 months" in capsys.readouterr().out
    assert main([*base, "--tier-months", "A=30,B=12,C=6,D=-2"]) == 2
    assert "whole months >= 0" in capsys.readouterr().err
    assert main(["plan", "list", "--url", url]) == 0
    listed = capsys.readouterr().out
    assert "A=30,B=12,C=6,D=2" in listed and "6 (all tiers)" in listed
    receipt = tmp_path / "r.json"
    assert (
        main(["draw", "--plan", "1", "--seed", "4", "--receipt", str(receipt), "--url", url]) == 0
    )
    assert json.loads(receipt.read_text(encoding="utf-8"))["parameters"]["tier_months"] == {
        "A": 30, "B": 12, "C": 6, "D": 2,
    }  # fmt: skip


def test_existing_plans_keep_the_single_window_after_the_upgrade(tmp_path: Path) -> None:
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    assert main(["db", "upgrade", "--revision", "0003", "--url", url]) == 0
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO department (code, name, domain) VALUES ('MARKET', '市场', '')")
        )
        connection.execute(
            text(
                "INSERT INTO plan (name, department_code, sectors, regions, entity_types, "
                "joint_departments, policy, repeat_window_months, verify_commitments, "
                "created_at, created_by) VALUES ('old', 'MARKET', '', '', '', '', "
                '\'{"mode": "rates", "rates": {"A": 0.1}}\', 9, 0, \'2026-01-01\', \'x\')'
            )
        )
    engine.dispose()
    assert main(["db", "upgrade", "--url", url]) == 0
    engine = make_engine(url)
    with session_scope(engine) as session:
        rules = plan_parameters(get_plan(session, 1)).rules
    assert rules.tier_months == () and rules.repeat_window_months == 9
    engine.dispose()


def test_dashboard_plan_form_carries_months_and_programme_reads_them(
    empty_db: str, tmp_path: Path
) -> None:
    from dashboard_support import app_at, seed_database, texts, write_small_folder

    seed_database(empty_db, write_small_folder(tmp_path / "folder"))
    at = app_at("plans.py")
    assert not at.exception
    at.button(key="programme__count").click().run()
    page = texts(at)
    assert "各等级检查间隔取自预设方案。" in page
    months_key = "plans__months_weifang-default_D"
    assert at.number_input(key=months_key).value == 3
    at.number_input(key=months_key).set_value(1).run()
    at.button(key="plans__save").click().run()
    assert not at.exception
    engine = make_engine(empty_db)
    with session_scope(engine) as session:
        plan = get_plan(session, 1)
        assert plan.tier_months == {"A": 24, "B": 12, "C": 6, "D": 1}
        start_year = plan.start.year if plan.start else 0
    engine.dispose()
    at.selectbox(key="programme__department").set_value("MARKET")
    at.number_input(key="programme__year").set_value(start_year).run()
    assert f"各等级检查间隔取自 {start_year} 年已存计划 1。" in texts(at)
    at.radio(key="plans__control").set_value("window").run()
    at.button(key="plans__save").click().run()
    engine = make_engine(empty_db)
    with session_scope(engine) as session:
        assert get_plan(session, 2).tier_months == {}
    engine.dispose()
