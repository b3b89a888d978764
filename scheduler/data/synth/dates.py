"""Working days of the synthetic history (inspections and ratings happen on them)."""

from __future__ import annotations

import warnings
from datetime import date, timedelta

import numpy as np

from scheduler.data.calendar import WorkingCalendar

__all__ = ["working_days", "to_timestamps"]


def working_days(today: date, first_day_back: int, last_day_back: int) -> np.ndarray:
    """PRC working days in ``[today - first_day_back, today - last_day_back]`` as datetime64[D].

    Uses the official schedule (``chinese-calendar``) without any configured
    holiday file, so the output depends on the arguments only; years past the
    published schedule fall back to weekends, silently.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        days = WorkingCalendar().working_days(
            today - timedelta(days=first_day_back), today - timedelta(days=last_day_back)
        )
    return np.array(days, dtype="datetime64[D]")


def to_timestamps(days: np.ndarray) -> np.ndarray:
    """datetime64[D] -> datetime64[ns], the Directory's date type."""
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[ns]")
