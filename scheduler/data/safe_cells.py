"""Neutralising spreadsheet formula injection (CSV injection) in exported cells.

A cell whose text starts with ``= + - @`` (or a tab / carriage return, which
some spreadsheet programs strip before parsing) is run as a formula when a
planner opens the file in Excel or WPS. Entity names and addresses come from
outside, so every exported text cell is neutralised by prefixing an
apostrophe-like single quote, the OWASP recommendation. Numbers stay numbers:
only text cells are touched, so ``-0.5`` as a float is left alone.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["TRIGGERS", "neutralise", "neutralise_frame"]

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet treat a cell as a formula."""


def neutralise(value: Any) -> Any:
    """``"=1+1"`` -> ``"'=1+1"``; non-text values are returned unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and header) neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out
