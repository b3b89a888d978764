"""Frame snapshots: a draw re-runs from the frame it was drawn from, after the directory changed.

Also: a changed frame is named per tier and per district, and an edited
snapshot is detected (its bytes no longer hash to the draw's frame_sha256).
"""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import update

from scheduler.cli import main
from scheduler.data.folder_writer import write_folder
from scheduler.data.synth.generate import generate_directory

ON = "2026-11-01"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    write_folder(generate_directory(1200, 150, rng=8), folder)
    return folder


def _deregister_drawn(data: Path, draw_csv: Path, target: Path) -> str:
    """A copy of the data folder in which one drawn entity is deregistered."""
    import shutil

    shutil.copytree(data, target)
    victim = pd.read_csv(draw_csv, dtype=str, encoding="utf-8-sig")["uscc"].iloc[0]
    entities = pd.read_csv(target / "entities.csv", dtype=str, keep_default_na=False)
    entities.loc[entities["uscc"] == victim, "status"] = "注销"
    entities.to_csv(target / "entities.csv", index=False)
    return victim


def test_file_mode_snapshot_verifies_after_the_data_changed(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out, receipt, snap = tmp_path / "d.csv", tmp_path / "r.json", tmp_path / "frame.gz"
    args = ["draw", "--data", str(data), "--department", "MARKET", "--on", ON]
    args += ["--preset", "weifang-default", "--seed", "11", "--out", str(out)]
    assert main([*args, "--receipt", str(receipt), "--snapshot", str(snap)]) == 0
    changed = tmp_path / "changed"
    _deregister_drawn(data, out, changed)
    check = ["verify", "--draw", str(out), "--receipt", str(receipt)]
    capsys.readouterr()
    # From the changed data alone: a mismatch that says which tier and district lost a unit.
    assert main([*check, "--data", str(changed)]) == 1
    err = capsys.readouterr().err
    assert "changed frame" in err and "units at the draw" in err
    assert "district " in err and "tier " in err
    # From the snapshot: a match, with or without the (changed) data.
    assert main([*check, "--snapshot", str(snap)]) == 0
    assert main([*check, "--snapshot", str(snap), "--data", str(changed)]) == 0
    assert "directory changed since the draw" in capsys.readouterr().err
    # An edited snapshot: one unit's tier changed.
    text = gzip.decompress(snap.read_bytes()).decode().splitlines()
    uscc, region, tier = text[5].split(",")
    text[5] = f"{uscc},{region},{'A' if tier != 'A' else 'B'}"
    edited = tmp_path / "edited.gz"
    edited.write_bytes(gzip.compress("\n".join(text).encode()))
    capsys.readouterr()
    assert main([*check, "--snapshot", str(edited)]) == 1
    assert "edited snapshot" in capsys.readouterr().err


def test_recorded_draw_keeps_its_snapshot_and_verifies_by_id(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from scheduler.data.importing.reader import read_folder
    from scheduler.data.reference import tier_scheme
    from scheduler.draw.plans import create_plan, draw_receipt, draw_rows, run_plan_draw
    from scheduler.draw.policy import make_policy
    from scheduler.draw.receipt import canonical_frame_bytes
    from scheduler.draw.snapshot import load_snapshot
    from scheduler.draw.verify import verify, verify_recorded_draw
    from scheduler.store.engine import init_db, make_engine, session_scope
    from scheduler.store.loader import directory_from_db, load_directory
    from scheduler.store.models.plans import FrameSnapshot

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    directory = read_folder(data)
    load_directory(engine, directory)
    with session_scope(engine) as session:
        policy = make_policy(tier_scheme("weifang-4"), preset_name="weifang-default")
        plan_id = create_plan(
            session,
            department_code="MARKET",
            policy=policy,
            start=date(2026, 11, 1),
            actor="test",
        ).id
    result = run_plan_draw(engine, plan_id, 17, actor="test")
    kept = load_snapshot(engine, result.receipt["frame_sha256"])
    assert kept == canonical_frame_bytes(result.frame)
    # The directory changes: a drawn entity is deregistered.
    victim = result.rows["uscc"].iloc[0]
    entities = directory.entities.copy()
    entities.loc[entities["uscc"] == victim, "status"] = "注销"
    load_directory(engine, replace(directory, entities=entities))
    stale = verify(
        directory_from_db(engine),
        draw_rows(engine, result.draw_id),
        draw_receipt(engine, result.draw_id),
    )
    assert not stale.ok and "changed frame" in stale.differences[0]
    report = verify_recorded_draw(engine, result.draw_id)
    assert report.ok, report.differences
    capsys.readouterr()
    assert main(["verify", "--draw-id", result.draw_id, "--url", url]) == 0
    assert "reproduced exactly" in capsys.readouterr().out
    # Someone edits the snapshot in the database (bypassing the ORM): detected.
    text = kept.decode().splitlines()
    text[3] = text[3][:-1] + ("A" if text[3][-1] != "A" else "B")
    with session_scope(engine) as session:
        session.execute(
            update(FrameSnapshot.__table__).values(data=gzip.compress("\n".join(text).encode()))
        )
    report = verify_recorded_draw(engine, result.draw_id)
    assert not report.ok and "edited snapshot" in report.differences[0]
    assert main(["verify", "--draw-id", result.draw_id, "--url", url]) == 1


def test_draws_of_one_frame_share_one_snapshot(data: Path, tmp_path: Path) -> None:
    """Snapshots are addressed by frame_sha256: a re-draw of the same frame adds none."""
    from sqlalchemy import func, select

    from scheduler.data.importing.reader import read_folder
    from scheduler.data.reference import tier_scheme
    from scheduler.draw.plans import create_plan, run_plan_draw
    from scheduler.draw.policy import make_policy
    from scheduler.store.engine import init_db, make_engine, session_scope
    from scheduler.store.loader import load_directory
    from scheduler.store.models.plans import FrameSnapshot

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, read_folder(data))
    with session_scope(engine) as session:
        policy = make_policy(tier_scheme("weifang-4"), preset_name="weifang-default")
        plan_id = create_plan(
            session,
            department_code="MARKET",
            policy=policy,
            start=date(2026, 11, 1),
            actor="test",
        ).id
    run_plan_draw(engine, plan_id, 1, actor="test")
    run_plan_draw(
        engine, plan_id, 2, reason="again", actor="test"
    )  # same frame: one snapshot, shared
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(FrameSnapshot.__table__))
        assert count.scalar() == 1


def test_a_changed_frame_is_named_per_tier_and_district(data: Path) -> None:
    from scheduler.data.importing.reader import read_folder
    from scheduler.data.reference import tier_scheme
    from scheduler.draw.frame import FrameRules, build_frame
    from scheduler.draw.frame_diff import frame_changes
    from scheduler.draw.policy import make_policy
    from scheduler.draw.run import DrawParameters, run_draw

    directory = read_folder(data)
    params = DrawParameters(
        FrameRules("MARKET", date(2026, 11, 1)),
        make_policy(tier_scheme("weifang-4"), preset_name="weifang-default"),
    )
    result = run_draw(directory, params, 4)
    unit = result.frame.units.iloc[7]
    entities = directory.entities.copy()
    entities.loc[entities["uscc"] == unit["uscc"], "status"] = "注销"
    now = build_frame(replace(directory, entities=entities), params.rules)
    tiers = result.receipt["counts"]["tier"]
    regions = result.receipt["counts"]["region"]
    lines = frame_changes(result.receipt, now)
    n_tier = tiers[unit["tier"]]["population"]
    n_region = regions[unit["region_code"]]["population"]
    assert f"tier {unit['tier']}: {n_tier} units at the draw, {n_tier - 1} now (-1)" in lines
    assert (
        f"district {unit['region_code']}: {n_region} units at the draw, {n_region - 1} now (-1)"
        in lines
    )
    detailed = frame_changes(result.receipt, now, result.frame.units)
    assert detailed[-1].startswith("units: 0 entered, 1 left, 0 changed district, 0 changed tier")
