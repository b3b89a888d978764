"""Draws of algorithm version 1, made by the version-1 code, keep verifying.

``tests/data/draw_v1`` holds a data folder and the draw files, receipts and
commitments that the version-1 code wrote (see its ``generate.py``): a given
seed, a CLI commit-reveal, a budget draw, and a reveal recorded in the
version-1 dashboard's shape (``kind: reveal``, without the commitment).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.data.importing.reader import read_folder
from scheduler.draw.ceremony import commitment_digest
from scheduler.draw.frame import FRAME_INPUT
from scheduler.draw.receipt import write_json
from scheduler.draw.verify import verify

V1 = Path(__file__).resolve().parents[1] / "data" / "draw_v1"
CASES = ["", "-reveal", "-budget", "-dashboard"]


@pytest.fixture(scope="module")
def directory():
    return read_folder(V1 / "data", tables=FRAME_INPUT)


@pytest.mark.parametrize("case", CASES)
def test_version_1_receipts_verify(directory, case: str) -> None:
    receipt = json.loads((V1 / f"receipt{case}.json").read_text(encoding="utf-8"))
    assert receipt["algorithm_version"] == "1"
    report = verify(directory, V1 / f"draw{case}.csv", receipt)
    assert report.ok, report.differences


def test_version_1_commit_reveal_checks_the_published_commitment(
    directory,
    capsys: pytest.CaptureFixture,
) -> None:
    published = commitment_digest(json.loads((V1 / "commitment.json").read_text("utf-8")))
    args = ["verify", "--data", str(V1 / "data"), "--draw", str(V1 / "draw-reveal.csv")]
    args += ["--receipt", str(V1 / "receipt-reveal.json")]
    assert main([*args, "--commitment-sha256", published]) == 0
    assert main([*args, "--commitment-sha256", "f" * 64]) == 1
    assert "not the published commitment" in capsys.readouterr().err


def test_version_1_dashboard_reveal_with_a_wrong_seed_fails(
    directory,
    tmp_path: Path,
) -> None:
    receipt = json.loads((V1 / "receipt-dashboard.json").read_text(encoding="utf-8"))
    receipt["seed_source"]["value"] = "4 1 8"  # the seed no longer follows from the value
    write_json(receipt, tmp_path / "r.json")
    report = verify(directory, V1 / "draw-dashboard.csv", tmp_path / "r.json")
    assert not report.ok and "changed seed" in report.differences[0]


def test_version_1_warns_about_another_numpy(directory, tmp_path: Path) -> None:
    receipt = json.loads((V1 / "receipt.json").read_text(encoding="utf-8"))
    receipt["versions"]["numpy"] = "1.0.0"
    report = verify(directory, V1 / "draw.csv", receipt)
    assert report.ok and "numpy 1.0.0" in report.warnings[0]
