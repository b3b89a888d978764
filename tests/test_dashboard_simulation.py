"""AppTest of the 政策模拟 page."""

from __future__ import annotations

from dashboard_support import app_at, texts


def test_simulation_compares_policies_with_intervals(seeded_db: str) -> None:
    at = app_at("simulation.py")
    assert not at.exception
    at.number_input(key="simulation__replications").set_value(5)
    at.number_input(key="simulation__years").set_value(3)
    at.button[0].click().run(timeout=60)
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table.iloc[:, 0]) == ["uniform", "weifang-default", "risk"]
    # every cell is "mean [lo, hi]"
    assert table.iloc[:, 1].str.fullmatch(r"[\d.]+ \[[\d.]+, [\d.]+\]").all()
    assert "5 次重复" in texts(at)
