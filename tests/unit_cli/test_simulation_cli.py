"""Tests of ``scheduler simulate``."""

from __future__ import annotations

import json

import pytest

from scheduler.cli import main

BASE = [
    "simulate",
    "--policy",
    "uniform",
    "--policy",
    "weifang-default",
    "--periods",
    "3",
    "--replications",
    "4",
    "--seed",
    "5",
]


def test_same_seed_same_summary_whatever_the_workers(tmp_path, capsys):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main([*BASE, "--size", "3000", "--workers", "1", "--out", str(one)]) == 0
    assert main([*BASE, "--size", "3000", "--workers", "2", "--out", str(two), "--no-charts"]) == 0
    assert (one / "summary.json").read_bytes() == (two / "summary.json").read_bytes()
    assert (one / "metrics.csv").read_bytes() == (two / "metrics.csv").read_bytes()
    assert (one / "hit_rate.png").exists() and not (two / "hit_rate.png").exists()
    summary = json.loads((one / "summary.json").read_text(encoding="utf-8"))
    assert summary["seed"] == 5 and summary["population"]["size"] == 3000
    assert "Violations found" in capsys.readouterr().out


def test_parameters_and_quarters_reach_the_model(tmp_path):
    out = tmp_path / "q"
    code = main(
        [
            *BASE,
            "--size",
            "2000",
            "--out",
            str(out),
            "--no-charts",
            "--period",
            "quarter",
            "--detection",
            "0.5",
            "--propensity",
            "A=0.01,B=0.02,C=0.1,D=0.2",
            "--budget",
            "400",
            "--rating-accuracy",
            "1",
        ]
    )
    assert code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["period_unit"] == "quarter"
    assert summary["budget"] == {
        "inspections_per_period": 100,
        "inspections_per_year": 400,
        "set_by": "budget",
    }
    assert summary["parameters"]["detection"] == 0.5
    assert summary["parameters"]["propensity"]["D"] == 0.2


def test_population_from_a_data_folder(tmp_path):
    from scheduler.data.folder_writer import write_folder
    from scheduler.data.synth.generate import generate_directory

    data = tmp_path / "data"
    write_folder(generate_directory(500, 136, rng=1), data)
    out = tmp_path / "out"
    assert main([*BASE, "--data", str(data), "--out", str(out), "--no-charts"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["population"]["source"] == "folder:data"
    assert 0 < summary["population"]["size"] <= 500


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--size", "100", "--data", "x"], "exactly one of"),
        ([], "exactly one of"),
        (["--size", "100", "--policy", "bogus"], "unknown policy"),
        (["--size", "100", "--detection", "2"], "detection"),
        (["--size", "100", "--period", "month"], "period"),
    ],
)
def test_bad_usage_exits_2(tmp_path, capsys, extra, message):
    assert main([*BASE, *extra, "--out", str(tmp_path / "o")]) == 2
    assert message in capsys.readouterr().err


def test_population_from_the_database(tmp_path, monkeypatch):
    from scheduler.data.synth.generate import generate_directory
    from scheduler.settings import get_settings
    from scheduler.store.engine import init_db, make_engine
    from scheduler.store.loader import load_directory

    url = f"sqlite:///{tmp_path / 'sim.db'}"
    engine = make_engine(url)
    init_db(engine)
    load_directory(engine, generate_directory(500, 136, rng=2))
    engine.dispose()
    monkeypatch.setenv("SCHEDULER_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        out = tmp_path / "out"
        assert main([*BASE, "--db", "--out", str(out), "--no-charts"]) == 0
    finally:
        get_settings.cache_clear()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["population"]["source"] == "database"
    assert 0 < summary["population"]["size"] <= 500
