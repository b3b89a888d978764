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


def test_cli_and_dashboard_give_one_simulation_for_one_seed(empty_db: str, tmp_path) -> None:
    # Issue 11: the CLI derived its streams from --seed, the dashboard passed the raw seed, so the
    # same inputs and "seed 2026" gave different numbers. Same synthetic inputs in both front ends.
    import json

    from typer.testing import CliRunner

    from scheduler.cli import app
    from scheduler.simulation.output import summary_dict

    seed, size, years, replications = 2026, 3_000, 3, 4
    policies = ["uniform", "weifang-default", "risk"]
    args = ["simulate", "--size", str(size), "--seed", str(seed), "--periods", str(years)]
    args += ["--replications", str(replications), "--out", str(tmp_path), "--no-charts"]
    for p in policies:
        args += ["--policy", p]
    cli = CliRunner().invoke(app, args)
    assert cli.exit_code == 0, cli.output
    from_cli = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))

    at = app_at("simulation.py")
    at.radio(key="simulation__source").set_value("synthetic")
    at.number_input(key="simulation__size").set_value(size)
    at.multiselect(key="simulation__policies").set_value(policies)
    at.number_input(key="simulation__years").set_value(years)
    at.number_input(key="simulation__replications").set_value(replications)
    at.number_input(key="simulation__seed").set_value(seed)
    at.button[0].click().run(timeout=60)
    assert not at.exception
    result = at.session_state["simulation__result"]
    from_dashboard = json.loads(json.dumps(summary_dict(result), ensure_ascii=False))
    assert result.seed == seed and from_cli["seed"] == seed
    assert from_dashboard == from_cli
