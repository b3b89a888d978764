"""The commit-reveal ceremony with 承诺核查: the commitment fixes the forced units.

Before the fix the commitment held the parameters *before* the frame resolved the
commitment checks (``commitment_checks: []``) while the receipt held them after,
so every such draw failed verification with "changed parameters", and the
commitment did not bind the set of entities drawn with probability 1.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from commitments_support import CHECKED, ON, UNTIL, C, make_directory

from scheduler.cli import main
from scheduler.data.folder_writer import write_folder
from scheduler.data.reference import tier_scheme
from scheduler.draw.ceremony import check_commitment, make_commitment, open_ceremony
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.plans import create_plan, get_plan, plan_parameters, run_plan_draw
from scheduler.draw.policy import make_policy
from scheduler.draw.run import DrawParameters
from scheduler.draw.verify import verify, verify_recorded_draw
from scheduler.store.engine import init_db, make_engine, session_scope
from scheduler.store.loader import load_directory

POLICY = make_policy(tier_scheme(), rates={"A": 0.1, "B": 0.2, "C": 0.4, "D": 0.8})
PARAMS = DrawParameters(
    FrameRules("MARKET", ON, regions=("370702",), verify_commitments=UNTIL), POLICY
)
ARGS = ["--department", "MARKET", "--regions", "370702", "--on", "2026-03-01",
        "--verify-commitments", "--until", "2026-03-31", "--preset", "weifang-default"]  # fmt: skip


def _later(directory):
    """The same directory after C[45]'s commitment was moved forward: due by UNTIL now."""
    changed = directory.commitments.copy()
    changed.loc[changed["uscc"] == C[45], "due_on"] = pd.Timestamp("2026-03-20")
    return replace(directory, commitments=changed)


def test_the_commitment_fixes_the_commitment_checks() -> None:
    directory = make_directory()
    commitment = make_commitment(
        build_frame(directory, PARAMS.rules), PARAMS, reveal_at="2026-03-02", value_source="福彩3D"
    )
    assert commitment["parameters"]["commitment_checks"] == sorted(CHECKED)
    assert commitment["parameters"]["verify_commitments"] == "2026-03-31"
    # The frame of a directory whose commitments changed: refused before the seed is used.
    later = build_frame(_later(directory), PARAMS.rules)
    problems = check_commitment(commitment, later, PARAMS)
    assert any("commitment_checks" in p for p in problems)
    assert check_commitment(commitment, build_frame(directory, PARAMS.rules), PARAMS) == []


def _digest(text: str) -> str:
    found = re.search(r"SHA-256 ([0-9a-f]{64})", text)
    assert found is not None
    return found.group(1)


def test_cli_commit_reveal_draw_verifies_and_fails_on_altered_commitments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    write_folder(make_directory(), data)
    commit = tmp_path / "c.json"
    assert main(["draw", "--data", str(data), *ARGS, "--commit", str(commit),
                 "--reveal-at", "2026-03-02 20:30", "--value-source", "福彩3D"]) == 0  # fmt: skip
    published = _digest(capsys.readouterr().out)
    out, receipt = tmp_path / "d.csv", tmp_path / "r.json"
    draw = ["draw", "--data", str(data), *ARGS, "--commitment", str(commit), "--reveal", "3 5 7",
            "--out", str(out), "--receipt", str(receipt)]  # fmt: skip
    assert main(draw) == 0
    capsys.readouterr()
    document = json.loads(receipt.read_text(encoding="utf-8"))
    assert document["seed_source"]["commitment"]["parameters"] == document["parameters"]
    assert document["parameters"]["commitment_checks"] == sorted(CHECKED)
    assert CHECKED <= set(pd.read_csv(out, dtype=str)["uscc"])
    check = ["verify", "--data", str(data), "--draw", str(out), "--receipt", str(receipt),
             "--commitment-sha256", published]  # fmt: skip
    assert main(check) == 0
    assert "match" in capsys.readouterr().out
    assert verify(make_directory(), out, receipt, commitment_sha256=published).ok
    # The commitments data altered after the commitment: the reveal is refused ...
    altered = tmp_path / "altered"
    write_folder(_later(make_directory()), altered)
    x_csv, x_json = str(tmp_path / "x.csv"), str(tmp_path / "x.json")
    refused = ["draw", "--data", str(altered), *ARGS, "--commitment", str(commit), "--reveal",
               "357", "--out", x_csv, "--receipt", x_json]  # fmt: skip
    # (C[45] is in the frame either way: only the committed checks tell the change.)
    assert main(refused) == 1
    assert "commitment_checks" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
    # ... and the draw made before no longer verifies against the altered data.
    check[2] = str(altered)
    assert main(check) == 1
    assert "mismatch" in capsys.readouterr().err
    report = verify(_later(make_directory()), out, receipt, commitment_sha256=published)
    assert not report.ok


def test_recorded_plan_draw_by_ceremony_verifies(tmp_path: Path) -> None:
    """The dashboard's path: a 承诺核查 plan, a commitment on its frame, the reveal, the record."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, make_directory())
    with session_scope(engine) as session:
        plan_id = int(
            create_plan(
                session, department_code="MARKET", policy=POLICY, regions=("370702",),
                start=ON, end=UNTIL, verify_commitments=True, actor="test",
            ).id or 0
        )  # fmt: skip
        parameters = plan_parameters(get_plan(session, plan_id))
    from scheduler.draw.db_scope import frame_directory

    frame = build_frame(frame_directory(engine, parameters.rules), parameters.rules)
    commitment = make_commitment(frame, parameters, reveal_at="2026-03-02", value_source="福彩3D")
    assert commitment["parameters"]["commitment_checks"] == sorted(CHECKED)
    opened = open_ceremony(commitment, "３ ５ ７")
    assert check_commitment(commitment, frame, parameters) == []
    result = run_plan_draw(engine, plan_id, opened.seed, actor="test", seed_source=opened.record())
    assert result.receipt["parameters"] == commitment["parameters"]
    report = verify_recorded_draw(
        engine, result.draw_id, commitment_sha256=opened.commitment_sha256
    )
    assert report.ok, report.differences
    other = verify_recorded_draw(engine, result.draw_id, commitment_sha256="0" * 64)
    assert not other.ok
    engine.dispose()
