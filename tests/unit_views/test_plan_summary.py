"""Plan summaries and relaxations for the dashboard (``views.plan_summary``, ``plan_state``)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from dashboard_support import small_directory

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.reference import tier_scheme
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.policy import make_policy
from scheduler.draw.run import DrawParameters, run_draw
from scheduler.errors import InfeasiblePlanError
from scheduler.matching import AssignSettings, DrawInput, assign
from scheduler.views.plan_summary import (
    apply_relaxation,
    count_table,
    frame_summary,
    load_distribution,
    team_table,
    visits_per_day,
    workload_table,
)

START, END = date(2026, 3, 2), date(2026, 4, 30)  # announced schedule: no fallback warning


def _draw(directory):
    rules = FrameRules(department_code="MARKET", on=date(2026, 3, 1))
    parameters = DrawParameters(
        rules=rules, policy=make_policy(tier_scheme(), preset_name="weifang-default")
    )
    return run_draw(directory, parameters, 11)


@pytest.fixture(scope="module")
def planned():
    directory = small_directory()
    draw = _draw(directory)
    inputs = [DrawInput(draw.draw_id, "MARKET", draw.rows)]
    return directory, draw, assign(directory, inputs, start=START, end=END, rng=3)


def test_frame_summary_gives_population_probability_and_expected_per_tier(planned) -> None:
    directory, draw, _ = planned
    frame = build_frame(directory, draw.parameters.rules)
    summary = frame_summary(frame, draw.parameters.policy)
    assert list(summary.index) == ["A", "B", "C", "D"]
    assert summary["population"].sum() == frame.size
    np.testing.assert_allclose(summary["probability"], [0.03, 0.05, 0.15, 0.5])
    np.testing.assert_allclose(summary["expected"], summary["population"] * summary["probability"])


def test_count_table_matches_the_receipt(planned) -> None:
    _, draw, _ = planned
    table = count_table(draw.receipt["counts"]["tier"], {"A": "A 诚信守法"})
    assert table["drawn"].sum() == draw.size
    assert table.loc[table["key"] == "A", "name"].item() == "A 诚信守法"
    assert table.loc[table["key"] == "B", "name"].item() == "B"
    np.testing.assert_allclose(table["gap"], table["drawn"] - table["expected"])


def test_workloads_cover_every_active_inspector_and_sum_to_team_slots(planned) -> None:
    directory, draw, result = planned
    loads = workload_table(result, directory)
    assert len(loads) == len(directory.inspectors)
    assert loads["visits"].sum() == 2 * draw.size  # teams of two, one department
    assert (loads["visits"] <= loads["capacity"]).all()
    assert loads["visits"].is_monotonic_decreasing
    distribution = load_distribution(loads)
    assert distribution["inspectors"].sum() == len(loads)


def test_team_table_and_calendar_count_each_visit_once(planned) -> None:
    directory, draw, result = planned
    teams = team_table(result, directory)
    assert len(teams) == draw.size and teams["lead"].str.contains("检查员").all()
    days = visits_per_day(result)
    assert days["visits"].sum() == draw.size
    assert days["weekday"].between(0, 6).all()


def test_applied_relaxation_makes_an_infeasible_plan_feasible() -> None:
    tight = small_directory(inspectors_per_region=2, capacity=1)
    draw = _draw(tight)
    inputs = [DrawInput(draw.draw_id, "MARKET", draw.rows)]
    settings = AssignSettings(allow_cross_region=False)
    calendar = WorkingCalendar()
    with pytest.raises(InfeasiblePlanError) as caught:
        assign(tight, inputs, start=START, end=END, settings=settings, rng=3, calendar=calendar)
    diagnosis = caught.value.diagnosis
    assert diagnosis.relaxations
    for relaxation in diagnosis.relaxations:
        relaxed = apply_relaxation(
            relaxation, diagnosis, directory=tight, settings=settings, end=END, calendar=calendar
        )
        result = assign(
            relaxed.directory,
            inputs,
            start=START,
            end=relaxed.end,
            settings=relaxed.settings,
            rng=3,
            calendar=calendar,
        )
        assert result.complete, relaxation
