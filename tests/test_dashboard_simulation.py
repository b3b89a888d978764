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


def test_sweep_section_shows_the_frontier(seeded_db: str) -> None:
    at = app_at("simulation.py")
    assert not at.exception
    at.text_input(key="sweep__grid").set_value("A=0.01:0.05:0.04,D=0.3:0.7:0.4")
    at.number_input(key="sweep__years").set_value(3)
    at.number_input(key="sweep__reps").set_value(3)
    at.button(key="FormSubmitter:sweep__form-运行扫描").click().run(timeout=120)
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    # 4 grid points + uniform + the first preset
    assert len(table) == 6 and table["on_frontier"].any()
    assert {"scaled_rate_A", "hit_rate_lo", "hit_rate_hi"} <= set(table.columns)
    assert "个在前沿上" in texts(at)
