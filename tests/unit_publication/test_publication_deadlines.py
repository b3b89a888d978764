"""Deadlines in working days across the 2026 Spring Festival and National Day.

Expected dates are counted by hand from the State Council schedule for 2026:
Spring Festival holidays 02-15..02-23 with make-up working days Sat 02-14 and
Sat 02-28; Mid-Autumn 09-25..09-27 and National Day 10-01..10-07 with make-up
working days Sun 09-20 and Sat 10-10.
"""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.data.calendar import WorkingCalendar
from scheduler.publication.results import status_of
from scheduler.publication.rules import LifecycleRules

CAL = WorkingCalendar()
RULES = LifecycleRules()


@pytest.mark.parametrize(
    ("start", "days", "expected", "why"),
    [
        # publication: 02-14 (make-up Sat) is day 1, 02-15..23 off, 02-28 (make-up) is day 6
        (
            date(2026, 2, 13),
            RULES.publication_days,
            date(2026, 3, 19),
            "weekdays only would say 03-13",
        ),
        (date(2026, 2, 12), RULES.objection_days, date(2026, 2, 26), "13, 14(make-up), 24, 25, 26"),
        (
            date(2026, 2, 13),
            RULES.repair_report_days,
            date(2026, 2, 24),
            "make-up Sat 02-14 counts",
        ),
        (
            date(2026, 2, 20),
            RULES.rating_report_days,
            date(2026, 3, 3),
            "from a holiday; 02-28 counts",
        ),
        (date(2026, 9, 18), RULES.publication_days, date(2026, 10, 22), "09-20 and 10-10 count"),
        (
            date(2026, 9, 30),
            RULES.objection_days,
            date(2026, 10, 13),
            "10-08, 09, 10(make-up), 12, 13",
        ),
        (date(2026, 9, 30), RULES.repair_report_days, date(2026, 10, 9), "over National Day"),
        (date(2026, 9, 24), RULES.rating_report_days, date(2026, 10, 12), "over both holidays"),
    ],
)
def test_deadlines_across_2026_holidays(start: date, days: int, expected: date, why: str) -> None:
    assert CAL.add_working_days(start, days) == expected, why


def test_make_up_days_are_working_and_holidays_are_not() -> None:
    for day in (date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)):
        assert CAL.is_working_day(day), day
    for day in (date(2026, 2, 16), date(2026, 2, 23), date(2026, 9, 25), date(2026, 10, 7)):
        assert not CAL.is_working_day(day), day


@pytest.mark.parametrize(
    ("done", "on", "status", "left"),
    [
        (None, date(2026, 3, 12), "due", 5),  # 03-13, 16, 17, 18, 19
        (None, date(2026, 3, 19), "due", 0),  # the deadline day itself is on time
        (None, date(2026, 3, 20), "overdue", -1),
        (date(2026, 3, 19), date(2026, 4, 1), "done", 0),
        (date(2026, 3, 20), date(2026, 4, 1), "late", 0),
    ],
)
def test_tracker_status(done: date | None, on: date, status: str, left: int) -> None:
    assert status_of(date(2026, 3, 19), done, on, CAL) == (status, left)


def test_due_during_spring_festival_counts_working_days_left() -> None:
    # On 02-13 a deadline of 02-26 is 4 working days away (14, 24, 25, 26), not 13 calendar days.
    assert status_of(date(2026, 2, 26), None, date(2026, 2, 13), CAL) == ("due", 4)
