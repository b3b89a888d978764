"""Working-day scheduling of visits: PRC holidays, make-up days, uncovered years."""

from __future__ import annotations

import warnings
from datetime import date

import chinese_calendar
import pytest
from matching_support import directory, draw, entity, inspector, usccs

from scheduler.data.calendar import CalendarFallbackWarning, WorkingCalendar
from scheduler.errors import InfeasiblePlanError
from scheduler.matching import AssignSettings, assign, check_assignment

ONE_A_DAY = AssignSettings(daily_limit=1)


def two_inspectors(n: int):
    ents = [entity(c) for c in usccs(n)]
    return directory([inspector(0, capacity=50), inspector(1, capacity=50)], ents), ents


def test_national_day_window_uses_makeup_saturday_and_no_holiday():
    # 2026-09-28 .. 2026-10-11: working days are Sep 28-30 and Oct 8-10
    # (Oct 10 is a make-up Saturday).
    d, ents = two_inspectors(6)  # one team, one visit a day: all six working days are needed
    result = assign(
        d, [draw(ents)], start=date(2026, 9, 28), end=date(2026, 10, 11), settings=ONE_A_DAY, rng=0
    )
    days = sorted(a.scheduled_on for a in result.assignments)
    assert days == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]


def test_makeup_sunday_is_a_working_day():
    d, ents = two_inspectors(1)
    result = assign(d, [draw(ents)], start=date(2026, 9, 19), end=date(2026, 9, 20), rng=0)
    assert [a.scheduled_on for a in result.assignments] == [date(2026, 9, 20)]


def test_never_on_a_2026_statutory_holiday():
    ents = [entity(c) for c in usccs(120)]
    d = directory([inspector(k, capacity=60) for k in range(6)], ents)
    result = assign(
        d, [draw(ents)], start=date(2026, 1, 1), end=date(2026, 12, 31), settings=ONE_A_DAY, rng=4
    )
    assert len({a.scheduled_on for a in result.assignments}) > 30
    for a in result.assignments:
        assert chinese_calendar.is_workday(a.scheduled_on), a.scheduled_on
        assert not chinese_calendar.is_holiday(a.scheduled_on) or a.scheduled_on.weekday() >= 5


def test_2027_without_holiday_file_warns_and_uses_weekdays():
    d, ents = two_inspectors(10)
    with pytest.warns(CalendarFallbackWarning, match="2027"):
        result = assign(
            d,
            [draw(ents)],
            start=date(2027, 1, 4),
            end=date(2027, 1, 17),
            settings=ONE_A_DAY,
            rng=0,
        )
    assert result.complete
    assert all(a.scheduled_on.weekday() < 5 for a in result.assignments)


def test_2027_with_holiday_file_uses_it(tmp_path):
    schedule = tmp_path / "holidays-2027.csv"
    schedule.write_text("date,kind\n2027-01-05,holiday\n2027-01-09,workday\n", encoding="utf-8")
    calendar = WorkingCalendar.from_file(schedule)
    d, ents = two_inspectors(5)  # Jan 4-10 has five working days: 4, 6, 7, 8 and Saturday 9
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarFallbackWarning)
        result = assign(
            d,
            [draw(ents)],
            start=date(2027, 1, 4),
            end=date(2027, 1, 10),
            settings=ONE_A_DAY,
            calendar=calendar,
            rng=0,
        )
    assert sorted(a.scheduled_on for a in result.assignments) == [
        date(2027, 1, 4),
        date(2027, 1, 6),
        date(2027, 1, 7),
        date(2027, 1, 8),
        date(2027, 1, 9),
    ]
    assert check_assignment(result, d, [draw(ents)], calendar) == []


def test_window_across_the_covered_year_end_does_not_crash():
    d, ents = two_inspectors(4)
    with pytest.warns(CalendarFallbackWarning):
        result = assign(d, [draw(ents)], start=date(2026, 12, 28), end=date(2027, 1, 8), rng=0)
    assert result.complete


def test_too_short_window_is_a_calendar_diagnosis_with_a_verified_extension():
    d, ents = two_inspectors(8)  # 8 visits for one team, one a day, in a 3-working-day window
    with pytest.raises(InfeasiblePlanError) as caught:
        assign(
            d,
            [draw(ents)],
            start=date(2026, 10, 8),
            end=date(2026, 10, 10),
            settings=ONE_A_DAY,
            rng=0,
        )
    diagnosis = caught.value.diagnosis
    assert {r.binding for r in diagnosis.rows} == {"calendar"}
    extend = next(x for x in diagnosis.relaxations if x.kind == "extend_window")
    assert extend.amount == 5
    new_end = WorkingCalendar().add_working_days(date(2026, 10, 10), extend.amount)
    assert assign(
        d, [draw(ents)], start=date(2026, 10, 8), end=new_end, settings=ONE_A_DAY, rng=0
    ).complete
    shorter = WorkingCalendar().add_working_days(date(2026, 10, 10), extend.amount - 1)
    with pytest.raises(InfeasiblePlanError):
        assign(d, [draw(ents)], start=date(2026, 10, 8), end=shorter, settings=ONE_A_DAY, rng=0)


def test_when_no_single_relaxation_works_a_verified_combination_is_given():
    from matching_support import FANGZI

    ents = [entity(c, region=FANGZI) for c in usccs(8, FANGZI)]  # no inspector in Fangzi
    d = directory([inspector(0, capacity=50), inspector(1, capacity=50)], ents)
    strict = AssignSettings(daily_limit=1, allow_cross_region=False)
    window = dict(start=date(2026, 10, 8), end=date(2026, 10, 10))
    with pytest.raises(InfeasiblePlanError) as caught:
        assign(d, [draw(ents)], settings=strict, rng=0, **window)
    diagnosis = caught.value.diagnosis
    assert diagnosis.relaxations == ()
    kinds = {x.kind: x.amount for x in diagnosis.combination}
    assert set(kinds) == {"allow_cross_region", "extend_window"}
    new_end = WorkingCalendar().add_working_days(window["end"], kinds["extend_window"])
    relaxed = AssignSettings(daily_limit=1, allow_cross_region=True)
    assert assign(
        d, [draw(ents)], settings=relaxed, rng=0, start=window["start"], end=new_end
    ).complete


def test_a_window_without_working_days_says_so_first():
    """National Day week 2026: the error opens with "0 working days", then the diagnosis."""
    d, ents = two_inspectors(2)
    with pytest.raises(InfeasiblePlanError) as caught:
        assign(d, [draw(ents)], start=date(2026, 10, 1), end=date(2026, 10, 7), rng=0)
    assert str(caught.value).startswith("0 working days between 2026-10-01 and 2026-10-07")
    assert {r.binding for r in caught.value.diagnosis.rows} == {"calendar"}


def test_a_window_with_working_days_does_not_claim_zero():
    d, ents = two_inspectors(8)
    with pytest.raises(InfeasiblePlanError) as caught:
        assign(d, [draw(ents)], start=date(2026, 10, 8), end=date(2026, 10, 10), settings=ONE_A_DAY)
    assert "0 working days" not in str(caught.value)
