"""Canonical frame hash, receipts, verification and commit-reveal."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scheduler.data.directory import Directory
from scheduler.data.reference import tier_scheme
from scheduler.data.synth.generate import generate_directory
from scheduler.draw.ceremony import (
    check_commitment,
    commitment_digest,
    make_commitment,
    open_ceremony,
)
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.policy import make_policy
from scheduler.draw.receipt import frame_sha256, read_json, write_json
from scheduler.draw.run import DrawParameters, read_draw_csv, run_draw, write_draw_csv
from scheduler.draw.verify import verify

ON = date(2026, 11, 1)


def _seed(commitment: dict, value: str) -> int:
    return open_ceremony(commitment, value).seed


PARAMS = DrawParameters(
    FrameRules("MARKET", ON), make_policy(tier_scheme("weifang-4"), preset_name="weifang-default")
)


@pytest.fixture(scope="module")
def directory() -> Directory:
    return generate_directory(2000, 200, rng=21)


@pytest.fixture
def drawn(directory: Directory, tmp_path: Path) -> tuple[Path, Path, dict]:
    result = run_draw(directory, PARAMS, 99)
    draw_csv, receipt = tmp_path / "draw.csv", tmp_path / "receipt.json"
    write_draw_csv(result.rows, draw_csv)
    write_json(result.receipt, receipt)
    return draw_csv, receipt, result.receipt


def test_frame_hash_is_sha256_of_documented_canonical_text(directory: Directory) -> None:
    frame = build_frame(directory, PARAMS.rules)
    lines = ["uscc,region_code,tier"] + [
        f"{u},{r},{t}"
        for u, r, t in sorted(
            zip(frame.units["uscc"], frame.units["region_code"], frame.units["tier"], strict=True)
        )
    ]
    assert frame_sha256(frame) == hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_receipt_has_spec_fields(drawn: tuple[Path, Path, dict]) -> None:
    _, _, receipt = drawn
    for key in (
        "draw_id",
        "algorithm",
        "algorithm_version",
        "seed",
        "frame_sha256",
        "frame_size",
        "parameters",
        "counts",
        "created_at",
        "versions",
        "substitutions",
    ):
        assert key in receipt
    assert set(receipt["counts"]) == {"tier", "region"}
    assert set(receipt["counts"]["tier"]["A"]) == {"population", "expected", "drawn"}
    assert receipt["parameters"]["department_code"] == "MARKET"


def test_verify_matches(directory: Directory, drawn: tuple[Path, Path, dict]) -> None:
    draw_csv, receipt, _ = drawn
    report = verify(directory, draw_csv, receipt)
    assert report.ok, report.differences
    assert report.warnings == ()


def test_verify_names_an_edited_row(directory: Directory, drawn: tuple[Path, Path, dict]) -> None:
    draw_csv, receipt, _ = drawn
    rows = read_draw_csv(draw_csv)
    rows.loc[2, "tier"] = "A" if rows.loc[2, "tier"] != "A" else "B"
    write_draw_csv(rows, draw_csv)
    report = verify(directory, draw_csv, receipt)
    assert not report.ok
    assert "row 4" in report.differences[0] and "'tier'" in report.differences[0]


def test_verify_names_a_swapped_entity(
    directory: Directory, drawn: tuple[Path, Path, dict]
) -> None:
    draw_csv, receipt, _ = drawn
    rows = read_draw_csv(draw_csv)
    frame = build_frame(directory, PARAMS.rules)
    other = next(u for u in frame.units["uscc"] if u not in set(rows["uscc"]))
    rows.loc[0, "uscc"] = other
    write_draw_csv(rows, draw_csv)
    report = verify(directory, draw_csv, receipt)
    assert not report.ok and other in report.differences[0]


def test_verify_names_a_changed_rate(directory: Directory, drawn: tuple[Path, Path, dict]) -> None:
    draw_csv, receipt_path, receipt = drawn
    edited = copy.deepcopy(receipt)
    edited["parameters"]["policy"]["rates"]["A"] = 0.01
    write_json(edited, receipt_path)
    report = verify(directory, draw_csv, receipt_path)
    assert not report.ok
    assert "rates['A']" in report.differences[0]


def test_verify_names_a_changed_frame(directory: Directory, drawn: tuple[Path, Path, dict]) -> None:
    draw_csv, receipt, _ = drawn
    frame = build_frame(directory, PARAMS.rules)
    victim = frame.units["uscc"].iloc[0]
    entities = directory.entities.copy()
    entities.loc[entities["uscc"] == victim, "status"] = "注销"
    report = verify(replace(directory, entities=entities), draw_csv, receipt)
    assert not report.ok and report.differences[0].startswith("changed frame")


def test_version_2_does_not_depend_on_the_numpy_version(
    directory: Directory, drawn: tuple[Path, Path, dict]
) -> None:
    """Version 2 reads only raw PCG64 words: another numpy is no reason for a warning."""
    draw_csv, receipt_path, receipt = drawn
    edited = dict(
        receipt, versions={"numpy": "1.0.0", "scheduler": receipt["versions"]["scheduler"]}
    )
    write_json(edited, receipt_path)
    report = verify(directory, draw_csv, receipt_path)
    assert report.ok and report.warnings == ()


def test_commit_reveal_derives_seed_and_refuses_changes(directory: Directory) -> None:
    frame = build_frame(directory, PARAMS.rules)
    commitment = make_commitment(
        frame, PARAMS, reveal_at="2026-11-05 10:00 CST", value_source="福彩3D 2026301期"
    )
    assert "seed" not in commitment
    seed = _seed(commitment, " 3  7 1 ")
    assert seed == _seed(commitment, "3 7 1")  # separators removed
    expected = int.from_bytes(
        hashlib.sha256(f"scheduler-seed-v2|{commitment_digest(commitment)}|371".encode()).digest()[
            :16
        ],
        "big",
    )
    assert seed == expected and seed != _seed(commitment, "3 7 2")
    assert check_commitment(commitment, frame, PARAMS) == []
    other = replace(PARAMS, policy=make_policy(tier_scheme("weifang-4"), preset_name="henan-2021"))
    assert "parameters differ" in check_commitment(commitment, frame, other)[0]
    smaller = build_frame(directory, replace(PARAMS.rules, regions=("370702",)))
    assert "frame changed" in check_commitment(commitment, smaller, PARAMS)[0]


def test_verify_rederives_a_revealed_seed(directory: Directory, tmp_path: Path) -> None:
    frame = build_frame(directory, PARAMS.rules)
    commitment = make_commitment(frame, PARAMS, reveal_at="t", value_source="s")
    opened = open_ceremony(commitment, "12345")
    result = run_draw(directory, PARAMS, opened.seed, seed_source=opened.record())
    write_draw_csv(result.rows, tmp_path / "d.csv")
    assert verify(directory, tmp_path / "d.csv", result.receipt).ok
    tampered = copy.deepcopy(result.receipt)
    tampered["seed_source"]["reveal"] = "12346"
    report = verify(directory, tmp_path / "d.csv", tampered)
    assert not report.ok and "changed seed" in report.differences[0]


def test_same_inputs_same_bytes(directory: Directory, tmp_path: Path) -> None:
    a, b = run_draw(directory, PARAMS, 5), run_draw(directory, PARAMS, 5)
    write_draw_csv(a.rows, tmp_path / "a.csv")
    write_draw_csv(b.rows, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    write_json(dict(a.receipt, created_at=""), tmp_path / "a.json")
    write_json(dict(b.receipt, created_at=""), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert read_json(tmp_path / "a.json")["draw_id"] == a.draw_id
    assert pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig").shape[0] == len(a.rows)


def test_verify_names_a_changed_scope_parameter(
    directory: Directory, drawn: tuple[Path, Path, dict]
) -> None:
    draw_csv, receipt_path, receipt = drawn
    edited = copy.deepcopy(receipt)
    edited["parameters"]["regions"] = ["370702"]
    report = verify(directory, draw_csv, edited)
    assert not report.ok and report.differences[0].startswith("changed parameters")
    assert any(d.startswith("changed frame") for d in report.differences)
