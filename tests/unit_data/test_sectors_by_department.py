"""Which sectors a department supervises: one rule, read by the frame and by matching."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from matching_support import directory, draw, entity, inspector, usccs

from scheduler.data.directory import sectors_by_department
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.errors import InvalidInputError
from scheduler.matching.tasks import build_tasks


def test_each_sector_belongs_to_its_department_and_empty_departments_are_absent():
    d = directory([inspector(0)], [entity(usccs(1)[0])])
    d = replace(
        d,
        sectors=pd.DataFrame(
            {
                "code": ["food", "catering", "public_venue"],
                "name": ["食品", "餐饮", "公共场所卫生"],
                "department_code": ["MARKET", "MARKET", "HEALTH"],
            }
        ),
    )
    assert sectors_by_department(d) == {
        "MARKET": frozenset({"food", "catering"}),
        "HEALTH": frozenset({"public_venue"}),
    }


def test_frame_and_tasks_follow_the_same_rule_when_a_sector_moves():
    food_only, both, catering_only = usccs(3)
    ents = [
        entity(food_only, sectors="food"),
        entity(both, sectors="food;catering"),
        entity(catering_only, sectors="catering"),
    ]
    shipped = directory([inspector(0)], ents)
    assert {"food", "catering"} <= sectors_by_department(shipped)["MARKET"]
    # Hand the catering sector to HEALTH: both areas must stop counting it as MARKET's.
    sectors = shipped.sectors.copy()
    sectors.loc[sectors["code"] == "catering", "department_code"] = "HEALTH"
    moved = replace(shipped, sectors=sectors)
    assert "catering" not in sectors_by_department(moved)["MARKET"]
    assert "catering" in sectors_by_department(moved)["HEALTH"]

    on = date(2026, 9, 1)
    assert set(build_frame(shipped, FrameRules("MARKET", on)).units["uscc"]) == set(usccs(3))
    assert set(build_frame(moved, FrameRules("MARKET", on)).units["uscc"]) == {food_only, both}
    with pytest.raises(InvalidInputError, match="'catering' is not supervised by MARKET"):
        build_frame(moved, FrameRules("MARKET", on, sectors=("catering",)))

    tasks = build_tasks(moved, [draw(ents)], team_size=2).tasks.set_index("uscc")
    assert tasks.at[both, "sectors"] == ("food",)
    assert tasks.at[catering_only, "sectors"] == ()
    health = build_tasks(moved, [draw(ents, dept="HEALTH")], team_size=2).tasks.set_index("uscc")
    assert health.at[both, "sectors"] == ("catering",)
