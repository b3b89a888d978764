"""Tests of ``scheduler sweep``: cluster and in-process outputs, files, chart and font, errors."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.simulation.cluster import ClusterSpec, parse_cluster

BASE = [
    "sweep",
    "--size",
    "3000",
    "--grid",
    "A=0.01:0.05:0.04,D=0.3:0.9:0.3",
    "--policies",
    "uniform,risk,weifang-default",
    "--periods",
    "3",
    "--replications",
    "4",
    "--block",
    "3",
    "--seed",
    "9",
]
FILES = ("sweep.csv", "policies.csv", "frontier.csv", "sweep.json", "frontier.png")


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "here"
    assert main([*BASE, "--out", str(out)]) == 0
    return out


@pytest.mark.slow
def test_local_cluster_and_in_process_write_byte_identical_files(in_process, tmp_path, capsys):
    out = tmp_path / "cluster"
    assert main([*BASE, "--out", str(out), "--cluster", "local:2"]) == 0
    assert "Dask dashboard: http" in capsys.readouterr().err
    for name in FILES:
        assert (out / name).read_bytes() == (in_process / name).read_bytes(), name


def test_outputs(in_process):
    summary = json.loads((in_process / "sweep.json").read_text(encoding="utf-8"))
    assert summary["seed"] == 9 and summary["replications"] == 4
    assert summary["grid"] == {"A": [0.01, 0.05], "D": [0.3, 0.6, 0.9]}
    assert summary["budget"]["set_by"] == "weifang-default"
    policies = pd.read_csv(in_process / "policies.csv")
    assert len(policies) == 2 * 3 + 3
    # every policy spends the preset's budget: the scaled rates, not the typed ones
    counts = summary["population"]["tier_counts"]
    budget = summary["budget"]["inspections_per_year"]
    for _, row in policies.iterrows():
        spent = sum(counts[c] * row[f"scaled_rate_{c}"] for c in "ABCD")
        assert spent == pytest.approx(budget, rel=1e-6), row["policy"]
    frontier = pd.read_csv(in_process / "frontier.csv")
    assert frontier["policy"].tolist() == summary["frontier"]
    assert set(frontier["policy"]) == set(policies.loc[policies["on_frontier"], "policy"])
    tidy = pd.read_csv(in_process / "sweep.csv")
    assert list(tidy.columns) == ["policy", "metric", "mean", "se", "lo", "hi"]
    hits = tidy.loc[tidy["metric"] == "hit_rate"]
    assert len(hits) == len(policies) and (hits["lo"] <= hits["mean"]).all()
    assert (hits["mean"] <= hits["hi"]).all()


def test_repeat_run_is_byte_identical(in_process, tmp_path):
    out = tmp_path / "again"
    assert main([*BASE, "--out", str(out), "--block", "1"]) == 0
    for name in FILES:
        assert (out / name).read_bytes() == (in_process / name).read_bytes(), name


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--cluster", "local:0"], "local:N needs N from 1"),
        (
            ["--cluster", "udp://x:1"],
            "is local:N or tcp://HOST:PORT; got 'udp://x:1' (option --cluster)",
        ),
        (["--grid", "A=0.1:0.05:0.01"], "stop 0.05 is below start 0.1"),
        (["--preset", "nowhere"], "unknown preset 'nowhere'"),
        (["--policies", "bogus"], "unknown policy 'bogus'"),
    ],
)
def test_bad_input_exits_2_with_the_reason(extra, message, tmp_path, capsys):
    # a repeated option takes the last value, so the grid under test replaces the base one
    assert main([*BASE, *extra, "--out", str(tmp_path / "x")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()  # nothing half-written


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        (None, None),
        ("local:3", ClusterSpec(workers=3)),
        ("tcp://10.0.0.5:8786", ClusterSpec(address="tcp://10.0.0.5:8786")),
    ],
)
def test_cluster_spec(text, spec):
    assert parse_cluster(text) == spec


def test_chart_labels_have_glyphs():
    """Every character of the chart's Chinese labels is in the shipped font (no tofu)."""
    from scheduler.simulation.fonts import FONT_PATH, missing_glyphs
    from scheduler.simulation.frontier_chart import LABELS

    assert FONT_PATH.exists() and FONT_PATH.stat().st_size < 200_000
    assert missing_glyphs("".join(LABELS.values())) == set()
    assert missing_glyphs("前沿龘") == {"龘"}  # the check can fail


def test_chart_renders_with_the_shipped_font_and_no_missing_glyph(in_process, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    from scheduler.simulation.fonts import CJK_FAMILY, FONT_PATH, use_cjk_font

    assert use_cjk_font() == CJK_FAMILY
    found = font_manager.findfont(
        font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False
    )
    assert found == str(FONT_PATH)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        assert main([*BASE, "--out", str(tmp_path / "w")]) == 0
    assert (tmp_path / "w" / "frontier.png").stat().st_size > 20_000


@pytest.mark.slow
def test_running_scheduler_address_gives_the_same_counts():
    """``--cluster tcp://HOST:PORT``: a scheduler started elsewhere (here, in this test)."""
    import numpy as np
    from distributed import LocalCluster

    from scheduler.data.reference import tier_scheme
    from scheduler.simulation import synthetic_population
    from scheduler.simulation.cluster import run_tasks
    from scheduler.simulation.seeded import seed_sequences
    from scheduler.simulation.sweep import run_sweep, sweep_policies

    scheme = tier_scheme("weifang-4")
    population = synthetic_population(2000, rng=1, scheme=scheme)
    axes, base, policies = sweep_policies("D=0.3:0.6:0.3", ["uniform"], None, scheme)

    def run(spec):
        return run_sweep(
            population,
            policies,
            periods=2,
            replications=3,
            seed=4,
            simulation_seed=seed_sequences(4)[1],
            preset=base,
            grid=axes,
            block=2,
            execute=lambda payload, tasks: run_tasks(payload, tasks, cluster=spec),
        ).result.raw

    with LocalCluster(
        n_workers=1,
        processes=False,
        threads_per_worker=1,
        dashboard_address=":0",
        protocol="tcp",
        host="127.0.0.1",
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        remote = run(parse_cluster(address))
    assert np.array_equal(remote, run(None), equal_nan=True)
