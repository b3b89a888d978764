"""How the algorithm-version-1 fixtures in this folder were made (run once, at commit a7661c0).

They were produced by the version-1 code itself, before version 2 existed, so
the tests that read them check that version-1 receipts keep verifying. Running
this script with later code would not reproduce them (it would draw version 2):
it is kept as the record of the inputs, not as a generator to re-run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from scheduler.cli import main
from scheduler.data.folder_writer import write_folder
from scheduler.data.synth.generate import generate_directory
from scheduler.draw.sampling import ALGORITHM_VERSION, draw_sample

HERE = Path(__file__).resolve().parent
assert ALGORITHM_VERSION == "1"


def common(data: Path) -> list[str]:
    return ["--data", str(data), "--department", "MARKET", "--on", "2026-11-01"]


def main_() -> None:
    data = HERE / "data"
    shutil.rmtree(data, ignore_errors=True)
    write_folder(generate_directory(500, 136, rng=11), data)
    base = ["draw", *common(data), "--preset", "weifang-default"]
    assert (
        main(
            [
                *base,
                "--seed",
                "20261101",
                "--out",
                str(HERE / "draw.csv"),
                "--receipt",
                str(HERE / "receipt.json"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                *base,
                "--commit",
                str(HERE / "commitment.json"),
                "--reveal-at",
                "2026-11-01 21:15",
                "--value-source",
                "福彩3D",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                *base,
                "--commitment",
                str(HERE / "commitment.json"),
                "--reveal",
                "3 5 7",
                "--out",
                str(HERE / "draw-reveal.csv"),
                "--receipt",
                str(HERE / "receipt-reveal.json"),
            ]
        )
        == 0
    )
    budget = ["draw", *common(data), "--budget", "40", "--seed", "7"]
    assert (
        main(
            [
                *budget,
                "--out",
                str(HERE / "draw-budget.csv"),
                "--receipt",
                str(HERE / "receipt-budget.json"),
            ]
        )
        == 0
    )
    # Sampling core, both paths (stratified SRS; randomized systematic pi-ps).
    vectors = []
    gen = np.random.default_rng(5)
    for case in range(6):
        n = int(gen.integers(20, 400))
        strata = gen.integers(0, 6, size=n)
        if case % 2:
            pi = gen.uniform(0.0, 1.0, size=n)
        else:
            pi = np.array([0.05, 0.1, 0.3, 0.5, 0.9, 1.0])[strata]
        for seed in (0, 1, 123456789):
            chosen = draw_sample(pi, rng=seed, strata=strata)
            vectors.append(
                {
                    "pi": pi.tolist(),
                    "strata": strata.tolist(),
                    "seed": seed,
                    "selected": chosen.tolist(),
                }
            )
    (HERE / "sampling_v1.json").write_text(json.dumps(vectors) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main_()


def dashboard_shape() -> None:
    """A draw recorded the way the version-1 dashboard recorded a reveal (``kind: reveal``)."""
    from datetime import date

    from scheduler.data.importing.reader import read_folder
    from scheduler.data.reference import tier_scheme
    from scheduler.draw.frame import FrameRules, build_frame
    from scheduler.draw.policy import make_policy
    from scheduler.draw.receipt import (
        commitment_digest,
        make_commitment,
        normalise_reveal,
        seed_from_reveal,
        write_json,
    )
    from scheduler.draw.run import DrawParameters, run_draw, write_draw_csv

    directory = read_folder(HERE / "data")
    params = DrawParameters(
        FrameRules("MARKET", date(2026, 11, 1)),
        make_policy(tier_scheme(None), preset_name="weifang-default"),
    )
    commitment = make_commitment(
        build_frame(directory, params.rules), params, reveal_at="2026-11-02", value_source="福彩3D"
    )
    write_json(commitment, HERE / "commitment-dashboard.json")
    seed = seed_from_reveal(commitment, "4 1 9")
    source = {
        "kind": "reveal",
        "commitment_sha256": commitment_digest(commitment),
        "value": normalise_reveal("4 1 9"),
    }
    result = run_draw(directory, params, seed, seed_source=source)
    write_draw_csv(result.rows, HERE / "draw-dashboard.csv")
    write_json(result.receipt, HERE / "receipt-dashboard.json")


if __name__ == "__main__":
    dashboard_shape()
