"""Repeat control by tier (a preset's min_months) and the annual programme."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.data.directory import Directory
from scheduler.data.folder_writer import write_folder
from scheduler.data.importing.reader import reference_frame
from scheduler.data.reference import default_min_months, preset, presets, tier_scheme
from scheduler.data.uscc import check_character
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.policy import make_policy
from scheduler.draw.programme import annual_programme, blocked_rounds
from scheduler.draw.run import DrawParameters, draw_from_frame
from scheduler.errors import InvalidInputError

ON = date(2026, 3, 1)
AGO = {2: "2026-01-01", 6: "2025-09-01", 21: "2024-06-01"}
"""Months before ON -> the day of the last inspection."""


def _code(i: int) -> str:
    first17 = f"91370702{i:09d}"
    return first17 + check_character(first17)


C: dict[str, str] = {}


def make_directory() -> Directory:
    """Per tier: one entity inspected 2, 6 and 21 months before ON, plus some never inspected."""
    rows = [(f"{t}0x{j}", t, None) for t in "ABCD" for j in range(5)]
    rows += [(f"{t}{m}", t, AGO[m]) for t in "ABCD" for m in AGO]
    codes = {key: _code(100 + i) for i, (key, _t, _d) in enumerate(rows)}
    C.update(codes)
    entities = pd.DataFrame(
        {
            "uscc": [codes[k] for k, _t, _d in rows],
            "name": [f"潍坊{k}公司" for k, _t, _d in rows],
            "entity_type": "企业",
            "region_code": "370702",
            "address": "",
            "legal_rep": "",
            "phone": "",
            "registered_on": pd.Timestamp("2020-01-01"),
            "status": "存续",
            "sectors": "food",
        }
    )
    ratings = pd.DataFrame(
        {
            "uscc": [codes[k] for k, _t, _d in rows],
            "department_code": "MARKET",
            "tier": [t for _k, t, _d in rows],
            "evaluated_on": pd.Timestamp("2024-01-01"),
            "valid_until": pd.NaT,
        }
    )
    history = pd.DataFrame(
        {
            "uscc": [codes[k] for k, _t, d in rows if d],
            "department_code": "MARKET",
            "inspected_on": [pd.Timestamp(d) for _k, _t, d in rows if d],
            "inspector_ids": "",
            "result_code": "01",
        }
    )
    inspectors = pd.DataFrame(
        {
            "inspector_id": ["LF001"], "name": ["王五"], "department_code": ["MARKET"],
            "region_code": ["370702"], "qualifications": ["food"],
            "capacity": np.array([10], dtype="int64"), "active": [True],
        }
    )  # fmt: skip
    tables = {name: reference_frame(name) for name in ("departments", "sectors", "regions")}
    tables |= {"entities": entities, "ratings": ratings, "history": history}
    tables["inspectors"] = inspectors
    return Directory.from_tables(tables)


MONTHS = (("A", 24), ("B", 12), ("C", 6), ("D", 3))


def test_project_defaults_are_stated_and_every_preset_carries_them() -> None:
    assert default_min_months() == {"A": 24, "B": 12, "C": 6, "D": 3}
    assert all(p.min_months == default_min_months() for p in presets().values())


def test_each_tier_has_its_own_window() -> None:
    frame = build_frame(make_directory(), FrameRules("MARKET", ON, tier_months=MONTHS))
    excluded = dict(zip(frame.excluded["uscc"], frame.excluded["reason"], strict=True))
    # inspected 2025-09-01 (6 months before ON): A (24) and B (12) out, C (6) and D (3) in
    assert "within 24 months" in excluded[C["A6"]]
    assert "within 12 months" in excluded[C["B6"]]
    assert C["C6"] not in excluded and C["D6"] not in excluded
    # inspected 2026-01-01 (2 months): every tier out, the worst one too
    assert all(C[f"{t}2"] in excluded for t in "ABCD")
    assert "within 3 months" in excluded[C["D2"]]
    # inspected 2024-06-01 (21 months): only A
    assert C["A21"] in excluded and C["B21"] not in excluded
    # the single window keeps its meaning: 12 months, worst tier exempt
    single = build_frame(make_directory(), FrameRules("MARKET", ON))
    out = set(single.excluded["uscc"])
    assert C["D2"] not in out and C["A21"] not in out and C["C6"] in out


@pytest.mark.parametrize(
    ("months", "message"),
    [
        ((("A", 24), ("B", 12), ("C", 6)), "lacks tier 'D'"),
        ((*MONTHS, ("Z", 1)), "unknown tier 'Z'"),
        ((("A", 24), ("B", -1), ("C", 6), ("D", 3)), "must be a whole number >= 0"),
    ],
)
def test_bad_tier_months_are_refused(months, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build_frame(make_directory(), FrameRules("MARKET", ON, tier_months=months))


def test_receipt_records_tier_months_and_says_where_pi_applies() -> None:
    rules = FrameRules("MARKET", ON, tier_months=MONTHS)
    frame = build_frame(make_directory(), rules)
    policy = make_policy(tier_scheme(), preset_name="weifang-default")
    receipt = draw_from_frame(frame, DrawParameters(rules, policy), 3).receipt
    assert receipt["parameters"]["tier_months"] == dict(MONTHS)
    assert "after its exclusions" in receipt["probabilities_defined_on"]
    assert "by tier" in receipt["probabilities_defined_on"]
    assert DrawParameters.from_dict(receipt["parameters"]).rules.tier_months == tuple(
        sorted(MONTHS)
    )
    plain = draw_from_frame(
        build_frame(make_directory(), FrameRules("MARKET", ON)),
        DrawParameters(FrameRules("MARKET", ON), policy),
        3,
    ).receipt
    assert "tier_months" not in plain["parameters"]


def test_cli_tier_months_preset(tmp_path: Path) -> None:
    write_folder(make_directory(), tmp_path / "data")
    args = [
        "draw", "--data", str(tmp_path / "data"), "--department", "MARKET", "--seed", "1",
        "--preset", "weifang-default", "--on", ON.isoformat(), "--tier-months", "preset",
        "--out", str(tmp_path / "d.csv"), "--receipt", str(tmp_path / "r.json"),
    ]  # fmt: skip
    assert main(args) == 0
    import json

    receipt = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert receipt["parameters"]["tier_months"] == preset("weifang-default").min_months
    bad = [a if a != "preset" else "A=1.5,B=12,C=6,D=3" for a in args]
    assert main(bad) == 2


def test_blocked_rounds() -> None:
    assert blocked_rounds(24, 3) == 7  # rounds 3..21 months later
    assert blocked_rounds(12, 3) == 3
    assert blocked_rounds(3, 3) == 0  # 3 months later is allowed again
    assert blocked_rounds(6, 12) == 0
    assert blocked_rounds(24, 12) == 1
    assert blocked_rounds(0, 1) == 0


def test_programme_says_which_binds() -> None:
    rates = {"A": 0.03, "B": 0.05, "C": 0.15, "D": 0.5}
    quarterly = annual_programme(
        make_directory(), "MARKET", 2026, rates=rates, min_months=default_min_months(), rounds=4
    )
    binds = {t.tier: t.binds for t in quarterly.tiers}
    assert binds == {"A": "frequency", "B": "frequency", "C": "frequency", "D": "rate"}
    assert not quarterly.consistent
    yearly = annual_programme(
        make_directory(), "MARKET", 2026, rates=rates,
        min_months={"A": 12, "B": 12, "C": 6, "D": 3}, rounds=1,
    )  # fmt: skip
    assert yearly.consistent
    for t in yearly.tiers:
        assert t.expected == pytest.approx(t.nominal)
    with pytest.raises(InvalidInputError, match="rounds"):
        annual_programme(make_directory(), "MARKET", 2026, rates=rates, min_months={}, rounds=0)


@pytest.mark.parametrize(("rate", "months", "rounds"), [(0.3, 6, 4), (0.5, 12, 4), (0.2, 3, 12)])
def test_steady_state_matches_a_simulation_of_the_rounds(rate: float, months: int, rounds: int):
    """Simulate many rounds of Poisson draws on the frame after repeat control; the mean
    inspections per round (rounds 40-199) match rate*N/(1+rate*k) within 4 standard errors."""
    n, spacing = 5000, 12 / rounds
    k = blocked_rounds(months, spacing)
    rng = np.random.default_rng(20261202)
    last = np.full(n, -(10**6))
    counts = []
    for j in range(200):
        eligible = (j - last) * spacing >= months
        drawn = eligible & (rng.random(n) < rate)
        last[drawn] = j
        counts.append(int(drawn.sum()))
    observed = np.array(counts[40:])
    expected = rate * n / (1 + rate * k)
    error = observed.std(ddof=1) / np.sqrt(len(observed)) * 3  # rounds are correlated: widen
    assert abs(observed.mean() - expected) < 4 * error, (observed.mean(), expected)
    if k:
        assert observed.mean() < rate * n  # the limit does bind


def test_dashboard_plans_page_shows_the_programme(seeded_db: str) -> None:
    from dashboard_support import app_at, texts

    at = app_at("plans.py")
    assert not at.exception
    at.button(key="programme__count").click().run()
    page = texts(at)
    assert "年度抽查计划" in page
    table = next(d.value for d in at.dataframe if "起约束作用的限制" in d.value.columns)
    assert set(table["起约束作用的限制"]) <= {"抽查比例", "检查频次"}
    assert list(table["信用等级"]) == list(tier_scheme().codes)
