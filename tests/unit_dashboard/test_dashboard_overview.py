"""AppTest of the 总览 page."""

from __future__ import annotations

from dashboard_support import app_at, texts


def test_overview_on_empty_database_says_to_import(empty_db: str) -> None:
    at = app_at()
    assert not at.exception
    assert "导入" in texts(at)


def test_overview_shows_counts_tiers_and_divisions(seeded_db: str) -> None:
    at = app_at()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["主体总数"] == "240"
    assert metrics["在岗执法人员"] == "12"
    assert metrics["任务容量"] == "360"
    assert "A: " in texts(at) and "D: " in texts(at)  # tier mix caption
    divisions = at.dataframe[-1].value
    assert int(divisions.iloc[:, 2].sum()) == 240


def test_language_switch_to_english(seeded_db: str) -> None:
    at = app_at()
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert {m.label for m in at.metric} >= {"Entities", "Active inspectors"}
