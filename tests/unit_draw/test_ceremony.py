"""The ceremony: one seed per public value however it is spelled, the published commitment.

Issue 11: twenty spellings of one lottery result gave 18 different seeds, and a
commitment re-made after the reveal verified with exit 0.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.data.folder_writer import write_folder
from scheduler.data.reference import tier_scheme
from scheduler.data.synth.generate import generate_directory
from scheduler.draw.ceremony import (
    RevealFormat,
    commitment_digest,
    make_commitment,
    open_ceremony,
    seed_source_problems,
)
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.policy import make_policy
from scheduler.draw.run import DrawParameters, run_draw, write_draw_csv
from scheduler.draw.verify import verify
from scheduler.errors import InvalidInputError

PARAMS = DrawParameters(
    FrameRules("MARKET", date(2026, 11, 1)),
    make_policy(tier_scheme("weifang-4"), preset_name="weifang-default"),
)
SPELLINGS = [
    "357",
    "3 5 7",
    " 3  5  7 ",
    "3、5、7",
    "3,5,7",
    "3，5，7",
    "3-5-7",
    "3.5.7",
    "３５７",
    "３ ５ ７",
    "3\u30005\u30007",
    "3\t5\n7",
    "「357」",
    "3·5·7",
    "(3)(5)(7)",
    "3/5/7",
    "3_5_7",
    "3;5;7",
    "\u00a03\u00a05\u00a07",
    "３、５、７",
]


@pytest.fixture(scope="module")
def directory():
    return generate_directory(800, 150, rng=31)


@pytest.fixture(scope="module")
def commitment(directory) -> dict:
    frame = build_frame(directory, PARAMS.rules)
    return make_commitment(
        frame, PARAMS, reveal_at="2026-11-01 21:15", value_source="福彩3D", digits=3
    )


def test_every_spelling_of_one_value_gives_one_seed(commitment: dict) -> None:
    seeds = {open_ceremony(commitment, s).seed for s in SPELLINGS}
    assert len(seeds) == 1
    assert open_ceremony(commitment, "3 5 7").canonical_value == "357"
    assert open_ceremony(commitment, "753").seed not in seeds  # the order is part of the value


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("35x7", r"character 3 is 'x'"),
        ("3 5 7 8", r"has 4 digits; the commitment fixed exactly 3 digits"),
        ("35", r"has 2 digits"),
        ("", r"holds no digit"),
        ("三五七", r"character 1 is '三'"),
        ("٣٥٧", r"not in the committed format"),  # Arabic-Indic digits: not 0-9
        ("3+5+7", r"character 2 is '\+'"),
    ],
)
def test_a_value_not_in_the_committed_format_is_refused(
    commitment: dict, value: str, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        open_ceremony(commitment, value)


def test_the_commitment_states_the_format_field_by_field(commitment: dict) -> None:
    assert commitment["reveal_format"] == RevealFormat(3).as_dict()
    assert commitment["reveal_format"]["kind"] == "digits"
    assert commitment["reveal_format"]["digits"] == 3
    assert "NFKC" in commitment["reveal_format"]["normalisation"]
    assert "scheduler-seed-v2" in commitment["seed_derivation"]


def test_a_version_1_commitment_cannot_start_a_new_draw(commitment: dict) -> None:
    old = {k: v for k, v in commitment.items() if k != "reveal_format"}
    old["algorithm_version"] = "1"
    with pytest.raises(InvalidInputError, match="publish a new commitment"):
        open_ceremony(old, "357")


def _revealed_draw(directory, commitment: dict, tmp_path: Path, value: str = "3 5 7"):
    opened = open_ceremony(commitment, value)
    result = run_draw(directory, PARAMS, opened.seed, seed_source=opened.record())
    write_draw_csv(result.rows, tmp_path / "d.csv")
    return result


def test_verify_checks_the_published_commitment(
    directory,
    commitment: dict,
    tmp_path: Path,
) -> None:
    published = commitment_digest(commitment)
    result = _revealed_draw(directory, commitment, tmp_path)
    assert verify(directory, tmp_path / "d.csv", result.receipt, commitment_sha256=published).ok
    # A commitment re-made after the reveal (another reveal time, so another seed):
    # the draw is self-consistent but not the published commitment's.
    remade = dict(commitment, reveal_at="2026-11-01 21:16")
    forged = _revealed_draw(directory, remade, tmp_path)
    assert verify(directory, tmp_path / "d.csv", forged.receipt).ok  # self-consistent
    report = verify(directory, tmp_path / "d.csv", forged.receipt, commitment_sha256=published)
    assert not report.ok
    assert any("not the published commitment" in d for d in report.differences)
    given = run_draw(directory, PARAMS, 5)
    write_draw_csv(given.rows, tmp_path / "g.csv")
    report = verify(directory, tmp_path / "g.csv", given.receipt, commitment_sha256=published)
    assert not report.ok and "seed was given" in report.differences[0]


def test_a_dashboard_reveal_whose_seed_does_not_follow_fails(
    directory,
    commitment: dict,
    tmp_path: Path,
) -> None:
    """The version-1 dashboard's record (kind: reveal, no commitment) is checked too."""
    source = {"kind": "reveal", "commitment_sha256": commitment_digest(commitment), "value": "357"}
    result = run_draw(directory, PARAMS, 123456, seed_source=source)  # not the reveal's seed
    write_draw_csv(result.rows, tmp_path / "d.csv")
    report = verify(directory, tmp_path / "d.csv", result.receipt)
    assert not report.ok and "changed seed" in report.differences[0]


def test_seed_source_problems_name_an_edited_reveal(commitment: dict) -> None:
    opened = open_ceremony(commitment, "357")
    receipt = {
        "seed_source": opened.record(),
        "parameters": commitment["parameters"],
        "frame_sha256": commitment["frame_sha256"],
    }
    assert seed_source_problems(receipt, opened.seed) == []
    edited = copy.deepcopy(receipt)
    edited["seed_source"]["reveal"] = "358"
    assert "changed seed" in seed_source_problems(edited, opened.seed)[0]
    edited = copy.deepcopy(receipt)
    edited["seed_source"]["commitment"]["reveal_at"] = "later"
    assert any("changed commitment" in p for p in seed_source_problems(edited, opened.seed))


def test_cli_refuses_a_reveal_outside_the_format_with_exit_2(
    directory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    data = tmp_path / "data"
    write_folder(directory, data)
    base = ["draw", "--data", str(data), "--department", "MARKET", "--on", "2026-11-01"]
    base += ["--preset", "weifang-default"]
    commit = tmp_path / "c.json"
    assert main([*base, "--commit", str(commit), "--reveal-at", "t", "--value-source", "福彩3D",
                 "--digits", "3"]) == 0  # fmt: skip
    out = ["--out", str(tmp_path / "d.csv"), "--receipt", str(tmp_path / "r.json")]
    capsys.readouterr()
    assert main([*base, "--commitment", str(commit), "--reveal", "3 5 x", *out]) == 2
    assert "not in the committed format" in capsys.readouterr().err
    assert not (tmp_path / "d.csv").exists()
    assert main([*base, "--commitment", str(commit), "--reveal", "３、５、７", *out]) == 0
    seed = json.loads((tmp_path / "r.json").read_text())["seed"]
    assert seed == open_ceremony(json.loads(commit.read_text()), "357").seed
    published = commitment_digest(json.loads(commit.read_text()))
    verify_args = ["verify", "--data", str(data), "--draw", str(tmp_path / "d.csv")]
    verify_args += ["--receipt", str(tmp_path / "r.json")]
    assert main([*verify_args, "--commitment-sha256", published]) == 0
    assert main([*verify_args, "--commitment-sha256", "0" * 64]) == 1
