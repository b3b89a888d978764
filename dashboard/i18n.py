"""Interface language: Chinese by default, English on request.

Labels are written in English in the code (``t("Run the draw")``) and looked up
in one dictionary of Chinese translations, so a page reads naturally in either
language and a missing translation shows the English text instead of failing.
Numbers are formatted the way Chinese readers count: 1.2万, 3.4亿.
"""

from __future__ import annotations

import math

import streamlit as st

from dashboard.labels_zh import ZH

__all__ = ["LANG_KEY", "language", "t", "fmt_count", "fmt_pct", "ZH"]

LANG_KEY = "ui_lang"
"""Session-state key holding ``"zh"`` or ``"en"``."""


def language() -> str:
    """The current session's language (the configured default until switched)."""
    if LANG_KEY not in st.session_state:
        from scheduler.settings import get_settings

        st.session_state[LANG_KEY] = "en" if get_settings().language == "en" else "zh"
    return str(st.session_state[LANG_KEY])


def t(text: str, **values: object) -> str:
    """``text`` in the current language, with ``{name}`` fields filled from ``values``."""
    label = ZH.get(text, text) if language() == "zh" else text
    return label.format(**values) if values else label


def fmt_count(n: float | int | None, lang: str | None = None) -> str:
    """A count as a reader expects it: ``12345`` -> ``1.2万`` (zh) or ``12,345`` (en)."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "–"
    lang = lang or language()
    value = float(n)
    if lang == "zh":
        for unit, size in (("亿", 1e8), ("万", 1e4)):
            if abs(value) >= size:
                return f"{value / size:.1f}".rstrip("0").rstrip(".") + unit
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def fmt_pct(p: float | None, digits: int = 1) -> str:
    """A share in percent, ``0.053`` -> ``5.3%``."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return f"{100 * p:.{digits}f}%"
