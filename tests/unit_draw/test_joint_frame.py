"""Joint frames (部门联合抽查): union of the departments' entities, repeat control for each,
the tier by a documented rule."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.data.directory import Directory
from scheduler.data.folder_writer import write_folder
from scheduler.data.importing.reader import reference_frame
from scheduler.data.reference import tier_scheme
from scheduler.data.uscc import check_character
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.policy import make_policy
from scheduler.draw.run import DrawParameters, draw_from_frame
from scheduler.errors import InvalidInputError

ON = date(2026, 3, 1)


def code(i: int) -> str:
    first17 = f"91370702{i:09d}"
    return first17 + check_character(first17)


# i: (sectors, MARKET tier, TAX tier, inspected by)
ENTITIES = {
    1: ("food", "A", None, None),  # MARKET only
    2: ("taxpayer", None, "C", None),  # TAX only
    3: ("food;taxpayer", "A", "D", None),  # both: least favourable D
    4: ("food;taxpayer", "C", "B", None),  # both: C
    5: ("food;taxpayer", "B", "B", "TAX"),  # inspected by TAX 2 months ago
    6: ("food;taxpayer", "B", "B", "MARKET"),  # inspected by MARKET 2 months ago
    7: ("environment", "A", "A", None),  # neither
}
C = {i: code(i) for i in ENTITIES}


def make_directory() -> Directory:
    entities = pd.DataFrame(
        {
            "uscc": [C[i] for i in ENTITIES],
            "name": [f"潍坊{i}号公司" for i in ENTITIES],
            "entity_type": "企业",
            "region_code": "370702",
            "address": "",
            "legal_rep": "",
            "phone": "",
            "registered_on": pd.Timestamp("2020-01-01"),
            "status": "存续",
            "sectors": [v[0] for v in ENTITIES.values()],
        }
    )
    ratings = [
        (C[i], dept, tier, pd.Timestamp("2025-01-01"), pd.NaT)
        for i, (_s, m, t, _h) in ENTITIES.items()
        for dept, tier in (("MARKET", m), ("TAX", t))
        if tier
    ]
    history = [
        (C[i], h, pd.Timestamp("2026-01-05"), "", "01") for i, (*_x, h) in ENTITIES.items() if h
    ]
    inspectors = pd.DataFrame(
        {
            "inspector_id": ["LF001"], "name": ["王五"], "department_code": ["MARKET"],
            "region_code": ["370702"], "qualifications": ["food"],
            "capacity": np.array([10], dtype="int64"), "active": [True],
        }
    )  # fmt: skip
    tables = {name: reference_frame(name) for name in ("departments", "sectors", "regions")}
    tables |= {
        "entities": entities,
        "ratings": pd.DataFrame(
            ratings, columns=["uscc", "department_code", "tier", "evaluated_on", "valid_until"]
        ),
        "history": pd.DataFrame(
            history,
            columns=["uscc", "department_code", "inspected_on", "inspector_ids", "result_code"],
        ),
        "inspectors": inspectors,
    }
    return Directory.from_tables(tables)


JOINT = FrameRules("MARKET", ON, joint_departments=("TAX",))


def test_joint_frame_is_the_union_with_repeat_control_for_each_department() -> None:
    frame = build_frame(make_directory(), JOINT)
    assert set(frame.units["uscc"]) == {C[1], C[2], C[3], C[4]}
    reasons = dict(zip(frame.excluded["uscc"], frame.excluded["reason"], strict=True))
    assert reasons[C[5]].startswith("inspected by TAX")
    assert reasons[C[6]].startswith("inspected by MARKET")
    lead_only = build_frame(make_directory(), FrameRules("MARKET", ON))
    assert C[2] not in set(lead_only.units["uscc"])  # TAX's entity: only in the joint frame
    assert C[5] in set(lead_only.units["uscc"])  # TAX's inspection does not count for MARKET alone


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("least_favourable", {1: "A", 2: "C", 3: "D", 4: "C"}),
        ("most_favourable", {1: "A", 2: "C", 3: "A", 4: "B"}),
        ("lead", {1: "A", 2: "B", 3: "A", 4: "C"}),  # 2: no MARKET rating -> default tier
    ],
)
def test_joint_tier_rule(rule: str, expected: dict[int, str]) -> None:
    from dataclasses import replace

    frame = build_frame(make_directory(), replace(JOINT, joint_tier_rule=rule))
    tiers = dict(zip(frame.units["uscc"], frame.units["tier"], strict=True))
    assert {i: tiers[C[i]] for i in expected} == expected


def test_bad_joint_rules_are_refused() -> None:
    from dataclasses import replace

    with pytest.raises(InvalidInputError, match="unknown joint department 'NOPE'"):
        build_frame(make_directory(), replace(JOINT, joint_departments=("NOPE",)))
    with pytest.raises(InvalidInputError, match="joint_tier_rule"):
        build_frame(make_directory(), replace(JOINT, joint_tier_rule="average"))
    with pytest.raises(InvalidInputError, match="repeat the lead"):
        build_frame(make_directory(), replace(JOINT, joint_departments=("MARKET",)))


def test_joint_receipt_round_trips_and_verifies(tmp_path: Path) -> None:
    write_folder(make_directory(), tmp_path / "data")
    args = [
        "draw", "--data", str(tmp_path / "data"), "--department", "MARKET", "--joint", "TAX",
        "--seed", "4", "--rates", "A=0.5,B=0.5,C=0.5,D=1", "--on", ON.isoformat(),
        "--out", str(tmp_path / "d.csv"), "--receipt", str(tmp_path / "r.json"),
    ]  # fmt: skip
    assert main(args) == 0
    receipt = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert receipt["parameters"]["joint_departments"] == ["TAX"]
    assert receipt["parameters"]["joint_tier_rule"] == "least_favourable"
    assert receipt["frame_size"] == 4
    assert main(["verify", "--data", str(tmp_path / "data"), "--draw", str(tmp_path / "d.csv"),
                 "--receipt", str(tmp_path / "r.json")]) == 0  # fmt: skip
    policy = make_policy(tier_scheme(), rates={"A": 0.5, "B": 0.5, "C": 0.5, "D": 1.0})
    single = draw_from_frame(
        build_frame(make_directory(), FrameRules("MARKET", ON)),
        DrawParameters(FrameRules("MARKET", ON), policy),
        4,
    )
    assert "joint_departments" not in single.receipt["parameters"]


def test_joint_plan_draws_the_union(tmp_path: Path) -> None:
    from scheduler.draw.plans import create_plan, run_plan_draw
    from scheduler.store.engine import init_db, make_engine, session_scope
    from scheduler.store.loader import load_directory

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, make_directory())
    policy = make_policy(tier_scheme(), rates={"A": 1.0, "B": 1.0, "C": 1.0, "D": 1.0})
    with session_scope(engine) as session:
        plan_id = create_plan(
            session, department_code="MARKET", policy=policy, joint_departments=("TAX",),
            start=ON,
            actor="test",
        ).id  # fmt: skip
    result = run_plan_draw(engine, plan_id, 1, actor="test")
    assert set(result.rows["uscc"]) == {C[1], C[2], C[3], C[4]}
    engine.dispose()
