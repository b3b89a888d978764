"""The draw actions the CLI and the dashboard share: commit, reveal, draw to files."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from scheduler.data.folder_writer import write_folder
from scheduler.data.reference import tier_scheme
from scheduler.data.synth.generate import generate_directory
from scheduler.draw.file_draw import DrawFiles, commit_file_draw, draw_to_files
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.policy import make_policy
from scheduler.draw.receipt import read_json
from scheduler.draw.run import DrawParameters, read_draw_csv
from scheduler.draw.witnessed import commit_to_frame, seed_from_reveal
from scheduler.errors import InvalidInputError, VerificationError

SCHEME = tier_scheme("weifang-4")
PARAMS = DrawParameters(
    FrameRules("MARKET", date(2026, 11, 1)),
    make_policy(SCHEME, preset_name="weifang-default"),
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("data")
    write_folder(generate_directory(600, 150, rng=5), target)
    return target


def test_a_commitment_then_its_reveal_draws_the_same_as_the_seed_it_fixes(
    folder: Path, tmp_path: Path
) -> None:
    commitment = tmp_path / "c.json"
    commit_file_draw(
        folder, PARAMS, commitment, reveal_at="2026-11-02 20:30", value_source="福彩3D", digits=3
    )
    revealed = draw_to_files(
        folder,
        PARAMS,
        DrawFiles(out=tmp_path / "a.csv", receipt=tmp_path / "a.json"),
        commitment=commitment,
        reveal="3 5 7",
    )
    seed = int(read_json(tmp_path / "a.json")["seed"])
    given = draw_to_files(
        folder, PARAMS, DrawFiles(out=tmp_path / "b.csv", receipt=tmp_path / "b.json"), seed=seed
    )
    assert len(revealed.result.rows) > 0
    assert list(read_draw_csv(tmp_path / "a.csv")["uscc"]) == list(
        read_draw_csv(tmp_path / "b.csv")["uscc"]
    )
    assert sorted(p.name for p in revealed.written) == ["a.csv", "a.json"]
    assert given.result.receipt.get("seed_source") != revealed.result.receipt["seed_source"]


def test_a_reveal_is_refused_when_the_parameters_changed(folder: Path) -> None:
    from scheduler.data.importing.reader import read_folder
    from scheduler.draw.frame import FRAME_INPUT

    frame = build_frame(read_folder(folder, tables=FRAME_INPUT), PARAMS.rules)
    commitment = commit_to_frame(frame, PARAMS, reveal_at="later", value_source="lottery")
    seed, source = seed_from_reveal(commitment, "42", frame, PARAMS)
    assert seed >= 0 and source["kind"]
    other = dataclasses.replace(PARAMS, policy=make_policy(SCHEME, budget=40))
    with pytest.raises(VerificationError, match="refusing to draw"):
        seed_from_reveal(commitment, "42", frame, other)


def test_a_file_draw_needs_exactly_one_seed_source(folder: Path, tmp_path: Path) -> None:
    files = DrawFiles(out=tmp_path / "d.csv", receipt=tmp_path / "r.json")
    with pytest.raises(InvalidInputError, match="either a seed or a commitment"):
        draw_to_files(folder, PARAMS, files)
    assert not (tmp_path / "d.csv").exists()
