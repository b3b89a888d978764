"""The dashboard as a whole: every page renders, on an empty and on a loaded database; labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dashboard_support import APP, app_at

from dashboard.labels_zh import ZH

PAGES = sorted(p.name for p in (APP.parent / "app_pages").glob("*.py"))


def test_every_page_file_is_registered() -> None:
    from dashboard.views import PAGES as REGISTERED

    assert sorted(file for file, *_ in REGISTERED) == PAGES


def test_every_page_renders_on_an_empty_database(empty_db: str) -> None:
    at = app_at()
    for page in PAGES:
        at.switch_page(f"app_pages/{page}").run()
        assert not at.exception, (page, at.exception)


def test_every_page_renders_on_a_loaded_database(seeded_db: str) -> None:
    at = app_at()
    for page in PAGES:
        at.switch_page(f"app_pages/{page}").run()
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, at.error)


def _literals() -> set[str]:
    """Every string literal passed to ``t(...)`` in the dashboard's sources."""
    found: set[str] = set()
    for path in Path(APP.parent).rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\bt\(\s*((?:\"[^\"]*\"\s*)+)", source):
            found.add("".join(re.findall(r"\"([^\"]*)\"", match.group(1))))
        found.update(re.findall(r"\bt\(\s*'([^']*)'", source))
    return found


def test_every_label_has_a_chinese_translation() -> None:
    literals = _literals()
    assert len(literals) > 150
    missing = sorted(label for label in literals if label not in ZH)
    assert not missing, missing


def test_translations_keep_their_placeholders() -> None:
    for english, chinese in ZH.items():
        assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"\{(\w+)\}", chinese)), (
            english
        )


def test_every_page_renders_in_english(seeded_db: str) -> None:
    at = app_at()
    at.sidebar.radio[0].set_value("en").run()
    for page in PAGES:
        at.switch_page(f"app_pages/{page}").run()
        assert not at.exception, (page, at.exception)
        assert at.title[0].value.isascii(), page


@pytest.mark.parametrize(
    ("n", "zh", "en"),
    [
        (0, "0", "0"),
        (9_999, "9,999", "9,999"),
        (12_345, "1.2万", "12,345"),
        (20_000, "2万", "20,000"),
        (1_480_000, "148万", "1,480,000"),
        (188_000_000, "1.9亿", "188,000,000"),
        (2.5, "2.5", "2.5"),
        (None, "–", "–"),
    ],
)
def test_counts_read_the_way_chinese_readers_count(n: float | None, zh: str, en: str) -> None:
    from dashboard.i18n import fmt_count

    assert fmt_count(n, "zh") == zh
    assert fmt_count(n, "en") == en


def test_calendar_labels_are_chinese_dates_in_order() -> None:
    import pandas as pd

    from dashboard.views import calendar_labels

    days = pd.DataFrame({"day": pd.to_datetime(["2026-12-08", "2026-11-30"]), "visits": [3, 4]})
    days["weekday"] = days["day"].dt.day_of_week
    days["week"] = days["day"].dt.to_period("W-SUN").dt.start_time
    zh = calendar_labels(days, "zh")
    assert list(zh["week_label"]) == ["11月30日", "12月7日"]
    assert list(zh["weekday_label"]) == ["周一", "周二"]
    assert list(zh["day_label"]) == ["2026年11月30日", "2026年12月8日"]
    assert list(calendar_labels(days, "en")["week_label"]) == ["Nov 30", "Dec 7"]


def test_audit_details_read_as_sentences() -> None:
    from dashboard.audit_view import describe

    details = {"department": "MARKET", "mode": "rates", "preset": "henan-2021", "rates": {"A": 1}}
    line = describe("plan.created", details, {"MARKET": "市市场监管局"})
    assert line == "部门：市市场监管局；预设方案 河南 2021"
    load = {"written": {"entities": 20000, "inspectors": 600, "ratings": 3}, "inserted": {}}
    assert describe("directory.load", load, {}) == "20,000 个主体，600 名执法人员，3 条信用评价"
