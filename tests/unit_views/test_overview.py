"""Directory summaries for the dashboard's overview (``scheduler.views.overview``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from dashboard_support import REGIONS, small_directory

from scheduler.views import overview


@pytest.fixture(scope="module")
def directory():
    base = small_directory(entities=90, inspectors_per_region=2)
    regions = pd.DataFrame(
        {"code": list(REGIONS) + ["370786"], "name": ["潍城区", "寒亭区", "奎文区", "昌邑市"]}
    )
    return replace(base, regions=regions)


def test_totals_count_entities_inspectors_and_capacity(directory) -> None:
    totals = overview.totals(directory)
    assert (totals.entities, totals.active_entities, totals.inspectors, totals.capacity) == (
        90,
        90,
        6,
        180,
    )
    assert totals.individual_businesses == int(
        (directory.entities["entity_type"] == "个体工商户").sum()
    )


def test_entities_by_region_names_divisions_and_counts_inspectors(directory) -> None:
    table = overview.entities_by_region(directory)
    assert list(table["region_code"]) == list(REGIONS)
    assert list(table["region_name"]) == ["潍城区", "寒亭区", "奎文区"]
    assert table["entities"].sum() == 90 and (table["inspectors"] == 2).all()


def test_inspectors_by_department_sums_active_capacity_only(directory) -> None:
    inspectors = directory.inspectors.copy()
    inspectors.loc[0, "active"] = False
    table = overview.inspectors_by_department(replace(directory, inspectors=inspectors))
    row = table.set_index("department_code").loc["MARKET"]
    assert (row["inspectors"], row["active"], row["capacity"]) == (6, 5, 150)


def test_tier_mix_is_a_region_by_tier_crosstab_in_scheme_order() -> None:
    regions = pd.Series(["1", "1", "2", "2", "2"])
    tiers = pd.Series(["B", "A", "D", "A", "A"])
    mix = overview.tier_mix(regions, tiers, ("A", "B", "C", "D"))
    assert list(mix.columns) == ["A", "B", "C", "D"]
    assert mix.loc["1"].tolist() == [1, 1, 0, 0] and mix.loc["2"].tolist() == [2, 0, 0, 1]


def test_data_quality_flags_each_defect_with_counts_and_examples(directory) -> None:
    assert overview.data_quality(directory, today=date(2026, 1, 1)) == []
    entities = directory.entities.copy()
    entities.loc[0, "status"] = "注销"
    entities.loc[1, "sectors"] = ""
    ratings = directory.ratings[directory.ratings["uscc"] != entities.loc[2, "uscc"]].copy()
    ratings.loc[ratings.index[:3], "valid_until"] = pd.Timestamp("2025-06-30")
    inspectors = directory.inspectors.copy()
    inspectors.loc[inspectors["region_code"] == REGIONS[0], "active"] = False
    inspectors.loc[inspectors.index[-1], "capacity"] = 0
    damaged = replace(directory, entities=entities, ratings=ratings, inspectors=inspectors)
    found = {w.kind: w for w in overview.data_quality(damaged, today=date(2026, 1, 1))}
    assert found["no_rating"].count == 1 and found["no_rating"].examples == (
        entities.loc[2, "uscc"],
    )
    assert found["expired_rating"].count == 3
    assert found["not_active"].count == 1
    assert found["no_sectors"].count == 1
    assert found["inactive_inspector"].count == 2
    assert found["zero_capacity"].count == 1
    assert found["region_without_inspectors"].examples == (REGIONS[0],)
    assert "no_qualifications" not in found
