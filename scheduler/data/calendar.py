"""PRC working days: statutory holidays and make-up working weekends (调休).

``chinese-calendar`` publishes each year's State Council schedule once it is
announced (it stops at the last announced year). For a later year the planner
supplies the official schedule as a file (``SCHEDULER_HOLIDAY_FILE`` or the
``holiday_file`` argument): a CSV with columns ``date,kind`` where ``kind`` is
``holiday`` or ``workday`` (a make-up working day). Without it the calendar
warns once per year and falls back to weekends only; it never crashes.
"""

from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

from scheduler.errors import InvalidInputError, Problem

__all__ = ["WorkingCalendar", "CalendarFallbackWarning", "load_holiday_file", "default_calendar"]


class CalendarFallbackWarning(UserWarning):
    """A year has no official schedule: weekends only are treated as days off."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"no official holiday schedule for {year}: treating only weekends as "
            "days off; supply the State Council schedule with a holiday file "
            "(SCHEDULER_HOLIDAY_FILE, columns date,kind)"
        )


def load_holiday_file(path: str | Path) -> tuple[frozenset[date], frozenset[date]]:
    """Read an official schedule file; returns (holidays, make-up working days)."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    problems: list[Problem] = []
    name = str(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or {"date", "kind"} - set(reader.fieldnames):
            raise InvalidInputError(
                problems=[Problem(name, 1, None, "holiday file needs the columns 'date,kind'")]
            )
        for row_number, row in enumerate(reader, start=2):
            try:
                day = date.fromisoformat(row["date"].strip())
            except ValueError:
                problems.append(Problem(name, row_number, "date", f"not a date: {row['date']!r}"))
                continue
            kind = row["kind"].strip().lower()
            if kind == "holiday":
                holidays.add(day)
            elif kind == "workday":
                workdays.add(day)
            else:
                problems.append(
                    Problem(
                        name, row_number, "kind", f"must be 'holiday' or 'workday'; got {kind!r}"
                    )
                )
    if problems:
        raise InvalidInputError(problems=problems)
    return frozenset(holidays), frozenset(workdays)


@dataclass
class WorkingCalendar:
    """Working-day arithmetic over the official schedule plus any supplied file."""

    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    _warned_years: set[int] = field(default_factory=set, repr=False)

    @classmethod
    def from_file(cls, path: str | Path | None) -> WorkingCalendar:
        if path is None:
            return cls()
        holidays, workdays = load_holiday_file(path)
        return cls(holidays, workdays)

    def _covered_by_file(self, year: int) -> bool:
        return any(d.year == year for d in self.extra_holidays | self.extra_workdays)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if self._covered_by_file(day.year):
            return day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                warnings.warn(CalendarFallbackWarning(day.year), stacklevel=2)
            return day.weekday() < 5

    def working_days(self, start: date, end: date) -> list[date]:
        """Every working day in [start, end], in order."""
        days = []
        day = start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself not counted).

        This is how a deadline "within N working days after X" is computed: the
        last day on which the act is still on time.
        """
        if n < 0:
            raise ValueError(f"`n` must be >= 0; got {n}")
        day = start
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days ``end`` is after ``start``."""
        if end <= start:
            return -len(self.working_days(end + timedelta(days=1), start)) if end < start else 0
        return len(self.working_days(start + timedelta(days=1), end))


def default_calendar() -> WorkingCalendar:
    """The calendar with the configured holiday file (``SCHEDULER_HOLIDAY_FILE``), if any."""
    from scheduler.settings import get_settings

    return WorkingCalendar.from_file(get_settings().holiday_file)
