"""``scheduler.clock.today``: Beijing's date, frozen by SCHEDULER_TODAY."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scheduler import clock
from scheduler.errors import InvalidInputError


def test_tests_run_on_the_frozen_date(frozen_today: str) -> None:
    assert clock.today() == date.fromisoformat(frozen_today)


def test_unfrozen_it_is_the_date_in_beijing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHEDULER_TODAY")

    class At0730Beijing(datetime):  # 2026-12-01 23:30 UTC = 2026-12-02 07:30 in Beijing
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 12, 1, 23, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(clock, "datetime", At0730Beijing)
    assert clock.today() == date(2026, 12, 2)  # the UTC date would still be 12-01


def test_a_bad_frozen_date_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEDULER_TODAY", "tomorrow")
    with pytest.raises(InvalidInputError, match="SCHEDULER_TODAY must be a date"):
        clock.today()
