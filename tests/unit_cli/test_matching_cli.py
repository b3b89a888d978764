"""``scheduler assign`` and ``scheduler swap`` end to end: files, exit codes, database, audit."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from matching_support import (
    FANGZI,
    WEICHENG,
    directory,
    draw,
    entity,
    inspector,
    usccs,
    write_instance,
)
from sqlalchemy import select

from scheduler.cli import main
from scheduler.store.engine import make_engine, session_scope
from scheduler.store.models.assignments import AssignmentRow, AssignmentRun
from scheduler.store.models.core import AuditEvent

SPEC_COLUMNS = [
    "draw_id",
    "uscc",
    "name",
    "region_code",
    "lead_inspector_id",
    "member_inspector_ids",
    "scheduled_on",
    "cross_region",
]


def run(*args: object) -> int:
    return main([str(a) for a in args])


def window(start="2026-09-01", end="2026-09-30"):
    return ["--start", start, "--end", end, "--seed", "5"]


@pytest.fixture
def joint(tmp_path):
    ents = [entity(c, sectors="food;public_venue") for c in usccs(6)]
    people = [inspector(k) for k in range(6)] + [
        inspector(f"H{k}", dept="HEALTH", quals="public_venue") for k in range(3)
    ]
    paths = write_instance(
        tmp_path, directory(people, ents), [draw(ents), draw(ents[:2], dept="HEALTH")]
    )
    return tmp_path, paths, ents


def test_assign_writes_the_spec_csv_with_joint_visits(joint, capsys):
    folder, paths, ents = joint
    out = folder / "assign.csv"
    code = run(
        "assign",
        "--data",
        folder / "data",
        "--draw",
        paths[0],
        "--draw",
        paths[1],
        *window(),
        "--out",
        out,
    )
    assert code == 0, capsys.readouterr().err
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns[:8]) == SPEC_COLUMNS
    assert len(frame) == 8 and frame["visit_id"].nunique() == 6
    joint_rows = frame[frame["uscc"] == ents[0]["uscc"]]
    assert set(joint_rows["department_code"]) == {"MARKET", "HEALTH"}
    assert (
        joint_rows["scheduled_on"].nunique() == 1
        and joint_rows["items"].str.contains("HEALTH").all()
    )
    meta = json.loads((folder / "assign.meta.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 5 and meta["solver"]["ortools_version"]
    again = folder / "again.csv"
    assert (
        run(
            "assign",
            "--data",
            folder / "data",
            "--draw",
            paths[0],
            "--draw",
            paths[1],
            *window(),
            "--out",
            again,
        )
        == 0
    )
    assert again.read_bytes() == out.read_bytes()


def test_missing_department_is_a_usage_error(joint, capsys):
    folder, paths, _ = joint
    lone = folder / "lone.csv"
    lone.write_bytes(paths[0].read_bytes())
    assert (
        run(
            "assign",
            "--data",
            folder / "data",
            "--draw",
            lone,
            *window(),
            "--out",
            folder / "x.csv",
        )
        == 2
    )
    assert "department is unknown" in capsys.readouterr().err


@pytest.fixture
def short_division(tmp_path):
    """Fangzi has one qualified MARKET inspector for three entities; Weicheng has plenty."""
    ents = [entity(c, region=FANGZI) for c in usccs(3, FANGZI)]
    people = [inspector("F1", region=FANGZI), inspector("F2", region=FANGZI, quals="drug")] + [
        inspector(k, region=WEICHENG) for k in range(4)
    ]
    paths = write_instance(tmp_path, directory(people, ents), [draw(ents)])
    return tmp_path, paths


def test_division_without_enough_qualified_inspectors_exits_3_with_a_working_relaxation(
    short_division, capsys
):
    folder, paths = short_division
    base = [
        "assign",
        "--data",
        folder / "data",
        "--draw",
        paths[0],
        *window(),
        "--out",
        folder / "a.csv",
    ]
    assert run(*base, "--no-cross-region") == 3
    err = capsys.readouterr().err
    assert "MARKET" in err and FANGZI in err and "no qualified" in err
    assert "6" in err.split(FANGZI)[1].splitlines()[0]  # shortfall: 3 tasks x 2 slots open
    assert "--allow-cross-region" in err
    assert not (folder / "a.csv").exists()
    # Apply the relaxation the diagnosis names: it works.
    assert run(*base, "--allow-cross-region") == 0
    frame = pd.read_csv(folder / "a.csv", dtype=str, encoding="utf-8-sig")
    assert (frame["cross_region"] == "True").all() and frame["member_inspector_ids"].ne("").all()


def test_capacity_shortfall_names_the_smallest_raise_and_it_works(tmp_path, capsys):
    ents = [entity(c, region=FANGZI) for c in usccs(5, FANGZI)]
    people = [inspector(k, region=FANGZI, capacity=2) for k in range(3)]  # 10 slots, 6 capacity
    paths = write_instance(tmp_path, directory(people, ents), [draw(ents)])
    base = [
        "assign",
        "--data",
        tmp_path / "data",
        "--draw",
        paths[0],
        *window(),
        "--no-cross-region",
        "--out",
        tmp_path / "a.csv",
    ]
    assert run(*base) == 3
    err = capsys.readouterr().err
    assert "capacity" in err and FANGZI in err
    assert "by 2" in err  # ceil((10 - 6) / 3) = 2 per inspector
    inspectors = tmp_path / "data" / "inspectors.csv"
    table = pd.read_csv(inspectors, dtype=str, keep_default_na=False)
    table["capacity"] = "3"  # k - 1 = 1 is not enough
    table.to_csv(inspectors, index=False)
    assert run(*base) == 3
    capsys.readouterr()
    table["capacity"] = "4"  # k = 2 is
    table.to_csv(inspectors, index=False)
    assert run(*base) == 0


def test_allow_partial_writes_the_plan_and_lists_the_rest(short_division, capsys):
    folder, paths = short_division
    out = folder / "partial.csv"
    assert (
        run(
            "assign",
            "--data",
            folder / "data",
            "--draw",
            paths[0],
            *window(),
            "--no-cross-region",
            "--allow-partial",
            "--out",
            out,
        )
        == 0
    )
    missing = pd.read_csv(folder / "partial.unassigned.csv", dtype=str, encoding="utf-8-sig")
    assert len(missing) == 3 and set(missing["reason"]) == {"no_qualified"}
    assert "partial plan" in capsys.readouterr().err


def test_2027_warns_without_holiday_file_and_uses_one_when_given(joint, capsys):
    folder, paths, _ = joint
    args = [
        "assign",
        "--data",
        folder / "data",
        "--draw",
        paths[0],
        *window("2027-01-04", "2027-01-29"),
    ]
    assert run(*args, "--out", folder / "a.csv") == 0
    err = capsys.readouterr().err
    assert "warning" in err and "2027" in err and "holiday" in err
    schedule = folder / "h2027.csv"
    schedule.write_text("date,kind\n2027-01-05,holiday\n", encoding="utf-8")
    assert run(*args, "--holiday-file", schedule, "--out", folder / "b.csv") == 0
    assert "warning" not in capsys.readouterr().err
    days = pd.read_csv(folder / "b.csv", dtype=str, encoding="utf-8-sig")["scheduled_on"]
    assert "2027-01-05" not in set(days)


def test_database_run_swap_and_audit(joint, capsys):
    folder, paths, ents = joint
    url = f"sqlite:///{folder / 'db.sqlite'}"
    out = folder / "a.csv"
    assert (
        run(
            "assign",
            "--data",
            folder / "data",
            "--url",
            url,
            "--draw",
            paths[0],
            *window(),
            "--out",
            out,
        )
        == 0
    )
    engine = make_engine(url)
    with session_scope(engine) as session:
        run_row = (
            session.exec(select(AssignmentRun)).scalars().one()
            if False
            else session.execute(select(AssignmentRun)).scalars().one()
        )
        rows = (
            session.execute(select(AssignmentRow).where(AssignmentRow.run_id == run_row.id))
            .scalars()
            .all()
        )
        target = rows[0]
        old = target.lead_inspector_id
        team = {old, *target.member_inspector_ids.split(";")}
        new = next(f"I{k}" for k in range(6) if f"I{k}" not in team)
        run_id, uscc = run_row.id, target.uscc
    assert (
        run(
            "swap",
            "--data",
            folder / "data",
            "--url",
            url,
            "--run-id",
            run_id,
            "--uscc",
            uscc,
            "--old",
            old,
            "--new",
            new,
            "--reason",
            "请假",
        )
        == 0
    )
    assert (
        run(
            "swap",
            "--data",
            folder / "data",
            "--url",
            url,
            "--run-id",
            run_id,
            "--uscc",
            uscc,
            "--old",
            new,
            "--new",
            "H0",
        )
        == 2
    )  # a HEALTH inspector on a MARKET-only visit
    assert "department" in capsys.readouterr().err
    with session_scope(engine) as session:
        kinds = [
            e.kind for e in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        ]
        lead = session.execute(
            select(AssignmentRow.lead_inspector_id).where(AssignmentRow.uscc == uscc)
        ).scalar_one()
    assert kinds.count("assignment.run") == 1 and kinds.count("assignment.swap") == 1
    assert lead == new


def test_swap_on_files_is_rechecked(joint, capsys):
    folder, paths, _ = joint
    out = folder / "a.csv"
    assert (
        run("assign", "--data", folder / "data", "--draw", paths[0], *window(), "--out", out) == 0
    )
    row = pd.read_csv(out, dtype=str, encoding="utf-8-sig").iloc[0]
    team = {row["lead_inspector_id"], *row["member_inspector_ids"].split(";")}
    new = next(f"I{k}" for k in range(6) if f"I{k}" not in team)
    assert (
        run(
            "swap",
            "--data",
            folder / "data",
            "--plan",
            out,
            "--uscc",
            row["uscc"],
            "--old",
            row["lead_inspector_id"],
            "--new",
            new,
            "--out",
            folder / "b.csv",
        )
        == 0
    )
    changed = pd.read_csv(folder / "b.csv", dtype=str, encoding="utf-8-sig").iloc[0]
    assert changed["lead_inspector_id"] == new
    assert (
        run(
            "swap",
            "--data",
            folder / "data",
            "--plan",
            out,
            "--uscc",
            row["uscc"],
            "--old",
            row["lead_inspector_id"],
            "--new",
            "NOBODY",
        )
        == 2
    )


def test_assign_a_recorded_draw_from_the_database(tmp_path, capsys):
    from scheduler.data.reference import tier_scheme
    from scheduler.data.synth.generate import generate_directory
    from scheduler.draw.plans import create_plan, run_plan_draw
    from scheduler.draw.policy import make_policy
    from scheduler.store.engine import init_db
    from scheduler.store.loader import load_directory

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    load_directory(engine, generate_directory(3000, 400, rng=1))
    with session_scope(engine) as session:
        plan = create_plan(
            session,
            department_code="MARKET",
            policy=make_policy(tier_scheme(), budget=40),
            start=pd.Timestamp("2026-10-08").date(),
            end=pd.Timestamp("2026-11-30").date(),
            actor="test",
        )
        plan_id = plan.id
    drawn = run_plan_draw(engine, plan_id, 11, actor="test")
    out = tmp_path / "a.csv"
    code = run(
        "assign",
        "--url",
        url,
        "--draw-id",
        drawn.draw_id,
        "--seed",
        3,
        "--allow-partial",
        "--out",
        out,
    )
    assert code == 0, capsys.readouterr().err
    frame = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    missing = tmp_path / "a.unassigned.csv"
    n_missing = len(pd.read_csv(missing)) if missing.exists() else 0
    assert len(frame) + n_missing == len(drawn.rows)
    assert frame["scheduled_on"].between("2026-10-08", "2026-11-30").all()
    with session_scope(engine) as session:
        kinds = [e.kind for e in session.execute(select(AuditEvent)).scalars()]
    assert "assignment.run" in kinds
