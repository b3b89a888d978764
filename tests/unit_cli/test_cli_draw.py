"""The draw CLI: draw, verify, substitute, commit-reveal, plans in the database."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.data.folder_writer import write_folder
from scheduler.data.synth.generate import generate_directory

ON = "2026-11-01"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    write_folder(generate_directory(1500, 200, rng=4), folder)
    return folder


def draw_args(data: Path, out: Path, receipt: Path, *extra: str) -> list[str]:
    return [
        "draw",
        "--data",
        str(data),
        "--department",
        "MARKET",
        "--on",
        ON,
        "--out",
        str(out),
        "--receipt",
        str(receipt),
        *extra,
    ]


def test_same_seed_same_bytes_and_verify(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert (
        main(draw_args(data, a, tmp_path / "a.json", "--preset", "weifang-default", "--seed", "8"))
        == 0
    )
    assert (
        main(draw_args(data, b, tmp_path / "b.json", "--preset", "weifang-default", "--seed", "8"))
        == 0
    )
    assert a.read_bytes() == b.read_bytes()
    ra, rb = (json.loads((tmp_path / n).read_text()) for n in ("a.json", "b.json"))
    ra.pop("created_at"), rb.pop("created_at")
    assert ra == rb
    capsys.readouterr()
    assert (
        main(
            ["verify", "--data", str(data), "--draw", str(a), "--receipt", str(tmp_path / "a.json")]
        )
        == 0
    )
    assert "match" in capsys.readouterr().out


def test_verify_exits_1_naming_the_difference(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out, receipt = tmp_path / "d.csv", tmp_path / "r.json"
    assert (
        main(draw_args(data, out, receipt, "--rates", "A=0.1,B=0.1,C=0.2,D=0.5", "--seed", "3"))
        == 0
    )
    original = out.read_bytes()
    lines = original.decode("utf-8-sig").splitlines()
    fields = lines[3].split(",")
    fields[5] = "0.2"  # inclusion_prob of data row 3 (spreadsheet row 4)
    lines[3] = ",".join(fields)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    capsys.readouterr()
    verify = ["verify", "--data", str(data), "--draw", str(out), "--receipt", str(receipt)]
    assert main(verify) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "row 4" in err and "inclusion_prob" in err

    out.write_bytes(original)
    edited = json.loads(receipt.read_text())
    edited["parameters"]["policy"]["rates"]["B"] = 0.3
    receipt.write_text(json.dumps(edited), encoding="utf-8")
    assert main(verify) == 1
    assert "rates['B']" in " ".join(capsys.readouterr().err.split())


def test_verify_catches_a_changed_frame(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out, receipt = tmp_path / "d.csv", tmp_path / "r.json"
    assert main(draw_args(data, out, receipt, "--preset", "henan-2021", "--seed", "1")) == 0
    changed = tmp_path / "changed"
    changed.mkdir()
    for file in data.iterdir():
        (changed / file.name).write_bytes(file.read_bytes())
    entities = pd.read_csv(changed / "entities.csv", dtype=str, keep_default_na=False)
    drawn = pd.read_csv(out, dtype=str, encoding="utf-8-sig")["uscc"].iloc[0]
    entities.loc[entities["uscc"] == drawn, "status"] = "吊销"
    entities.to_csv(changed / "entities.csv", index=False)
    capsys.readouterr()
    assert (
        main(["verify", "--data", str(changed), "--draw", str(out), "--receipt", str(receipt)]) == 1
    )
    assert "changed frame" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (["--rates", "A=0,B=0.1,C=0.2,D=0.5", "--seed", "1"], "must be in (0, 1]"),
        (["--rates", "A=0.1,B=0.1,C=0.2,D=1.2", "--seed", "1"], "must be in (0, 1]"),
        (["--budget", "999999", "--seed", "1"], "larger than the sampling frame"),
        (["--preset", "atlantis", "--seed", "1"], "unknown preset"),
        (
            [
                "--preset",
                "weifang-default",
                "--seed",
                "1",
                "--regions",
                "370702",
                "--entity-types",
                "社会组织",
                "--sectors",
                "metrology",
            ],
            "sampling frame is empty",
        ),
    ],
)
def test_bad_input_exits_2(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture, extra: list[str], match: str
) -> None:
    assert main(draw_args(data, tmp_path / "d.csv", tmp_path / "r.json", *extra)) == 2
    assert match in " ".join(capsys.readouterr().err.split())


def test_unknown_department_exits_2(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = draw_args(
        data, tmp_path / "d.csv", tmp_path / "r.json", "--preset", "weifang-default", "--seed", "1"
    )
    args[args.index("MARKET")] = "NOPE"
    assert main(args) == 2
    assert "unknown department" in capsys.readouterr().err


def test_commit_then_reveal_then_verify(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    commitment = tmp_path / "c.json"
    base = [
        "draw",
        "--data",
        str(data),
        "--department",
        "MARKET",
        "--on",
        ON,
        "--preset",
        "weifang-default",
    ]
    assert (
        main(
            [
                *base,
                "--commit",
                str(commitment),
                "--reveal-at",
                "2026-11-05 10:00",
                "--value-source",
                "福彩3D",
            ]
        )
        == 0
    )
    assert "seed" not in json.loads(commitment.read_text())
    out, receipt = tmp_path / "d.csv", tmp_path / "r.json"
    reveal = [
        "--commitment",
        str(commitment),
        "--reveal",
        "3 7 1",
        "--out",
        str(out),
        "--receipt",
        str(receipt),
    ]
    assert main([*base, *reveal]) == 0
    saved = json.loads(receipt.read_text())
    assert (
        saved["seed_source"]["kind"] == "commit-reveal"
        and saved["seed_source"]["reveal"] == "3 7 1"
    )
    assert main(["verify", "--data", str(data), "--draw", str(out), "--receipt", str(receipt)]) == 0
    capsys.readouterr()
    changed = [*base[:-1], "henan-2021", *reveal, "--force"]
    assert main(changed) == 1
    assert "refusing to draw" in capsys.readouterr().err


def test_file_substitution_keeps_verify_passing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out, receipt = tmp_path / "d.csv", tmp_path / "r.json"
    assert main(draw_args(data, out, receipt, "--preset", "weifang-default", "--seed", "4")) == 0
    victim = pd.read_csv(out, dtype=str, encoding="utf-8-sig")["uscc"].iloc[0]
    assert (
        main(
            [
                "substitute",
                "--data",
                str(data),
                "--draw",
                str(out),
                "--receipt",
                str(receipt),
                "--uscc",
                victim,
                "--reason",
                "已注销",
            ]
        )
        == 0
    )
    saved = json.loads(receipt.read_text())
    assert saved["substitutions"][0]["uscc_out"] == victim
    assert victim not in set(pd.read_csv(out, dtype=str, encoding="utf-8-sig")["uscc"])
    assert main(["verify", "--data", str(data), "--draw", str(out), "--receipt", str(receipt)]) == 0


def test_plans_in_the_database(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from scheduler.data.importing.reader import read_folder
    from scheduler.draw.plans import draw_receipt, draw_rows, list_draws
    from scheduler.store.auditlog import read_events
    from scheduler.store.engine import init_db, make_engine
    from scheduler.store.loader import load_directory

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    load_directory(engine, read_folder(data))
    assert (
        main(
            [
                "plan",
                "create",
                "--department",
                "MARKET",
                "--preset",
                "weifang-default",
                "--start",
                ON,
                "--end",
                "2026-11-30",
                "--joint",
                "TAX",
                "--url",
                url,
            ]
        )
        == 0
    )
    assert "plan 1 created" in capsys.readouterr().out
    assert main(["draw", "--plan", "1", "--seed", "5", "--url", url]) == 0
    assert (
        main(["draw", "--plan", "1", "--seed", "6", "--url", url]) == 2
    )  # re-draw without a reason
    err = capsys.readouterr().err
    assert "needs a reason" in err and "(option --reason)" in err
    assert (
        main(["draw", "--plan", "1", "--seed", "6", "--reason", "名录库更新后重抽", "--url", url])
        == 0
    )
    draws = list_draws(engine, 1)
    assert len(draws) == 2
    old, new = draws["draw_id"].iloc[1], draws["draw_id"].iloc[0]
    assert draws["superseded_by"].iloc[1] == new and draws["supersedes"].iloc[0] == old
    kinds = set(read_events(engine, subject="DR-")["kind"])
    assert {"draw.created", "draw.redrawn"} <= kinds
    victim = draw_rows(engine, new)["uscc"].iloc[0]
    assert (
        main(["substitute", "--draw-id", new, "--uscc", victim, "--reason", "迁出", "--url", url])
        == 0
    )
    assert victim not in set(draw_rows(engine, new)["uscc"])
    assert draw_receipt(engine, new)["substitutions"][0]["reason"] == "迁出"
    capsys.readouterr()
    assert main(["plan", "list", "--url", url]) == 0
    assert "superseded" in capsys.readouterr().out
    assert main(["draw", "--plan", "7", "--seed", "1", "--url", url]) == 2


def test_recorded_draw_verifies_from_the_database(data: Path, tmp_path: Path) -> None:
    from scheduler.data.importing.reader import read_folder
    from scheduler.data.reference import tier_scheme
    from scheduler.draw.plans import create_plan, draw_receipt, draw_rows, run_plan_draw
    from scheduler.draw.policy import make_policy
    from scheduler.draw.verify import verify
    from scheduler.store.engine import init_db, make_engine, session_scope
    from scheduler.store.loader import directory_from_db, load_directory

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, read_folder(data))
    with session_scope(engine) as session:
        policy = make_policy(tier_scheme("weifang-4"), budget=40)
        plan_id = create_plan(
            session,
            department_code="MARKET",
            policy=policy,
            start=date(2026, 11, 1),
            actor="test",
        ).id
    result = run_plan_draw(engine, plan_id, 17, actor="test")
    assert len(result.rows) == 40
    report = verify(
        directory_from_db(engine),
        draw_rows(engine, result.draw_id),
        draw_receipt(engine, result.draw_id),
    )
    assert report.ok, report.differences
    from sqlalchemy import select
    from sqlmodel import Session

    from scheduler.store.models.plans import DrawnEntity

    with Session(engine) as session:
        row = session.execute(select(DrawnEntity)).scalars().first()
        assert row is not None
        row.tier = "A" if row.tier != "A" else "B"
        with pytest.raises(PermissionError, match="immutable"):
            session.commit()
