"""Today's date, in Beijing time, with one switch to freeze it.

Plans, draws and deadlines are dated in China Standard Time: before 08:00 in
Beijing the UTC date is still yesterday, so ``datetime.now(UTC).date()`` dated a
morning draw a day early. Everything that needs "today" calls :func:`today`.
Setting ``SCHEDULER_TODAY=YYYY-MM-DD`` freezes it (tests, reproducing a past run,
demos), so behaviour never depends on the wall clock where that matters.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduler.errors import InvalidInputError

__all__ = ["TIMEZONE", "TODAY_VARIABLE", "today"]

TIMEZONE = ZoneInfo("Asia/Shanghai")
TODAY_VARIABLE = "SCHEDULER_TODAY"


def today() -> date:
    """The date in Beijing now, or the frozen ``SCHEDULER_TODAY`` when set."""
    frozen = os.environ.get(TODAY_VARIABLE, "").strip()
    if frozen:
        try:
            return date.fromisoformat(frozen)
        except ValueError:
            raise InvalidInputError(
                f"{TODAY_VARIABLE} must be a date YYYY-MM-DD; got {frozen!r}."
            ) from None
    return datetime.now(TIMEZONE).date()
