"""Results, tier moves, objections and credit repair in the database: deadlines, audit events."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlmodel import Session, select

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.reference import tier_scheme
from scheduler.data.uscc import check_character
from scheduler.errors import InvalidInputError, NotFoundError
from scheduler.publication.deadlines import all_deadlines
from scheduler.publication.lifecycle import (
    apply_findings,
    apply_repair,
    complete_repair,
    current_tier,
    decide_objection,
    file_objection,
    report_ratings,
    report_repair,
)
from scheduler.publication.results import import_results, mark_published
from scheduler.publication.rules import LifecycleRules, load_rules, next_tier
from scheduler.store.engine import init_db, make_engine, session_scope
from scheduler.store.models.core import AuditEvent, Department, Entity, Inspection, Rating, Region
from scheduler.store.models.plans import Draw, DrawnEntity, Plan
from scheduler.store.models.publication import InspectionResult, ObjectionDraw, TierChange

CAL = WorkingCalendar()
RULES = LifecycleRules()
DEPT = "MARKET"


def uscc_of(i: int) -> str:
    first = f"92370702MA{i:07d}"
    return first + check_character(first)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pub.db'}")
    init_db(engine)
    with session_scope(engine) as session:
        session.add(Department(code=DEPT, name="市市场监管局"))
        session.add(Region(code="370702", name="潍城区"))
        session.flush()
        for i, tier in enumerate("ABABBA", start=1):
            session.add(
                Entity(
                    uscc=uscc_of(i),
                    name=f"张{i}烧烤店",
                    entity_type="个体工商户",
                    region_code="370702",
                    legal_rep=f"张{i}",
                    status="存续",
                )
            )
            session.flush()
            session.add(
                Rating(
                    uscc=uscc_of(i), department_code=DEPT, tier=tier, evaluated_on=date(2026, 1, 5)
                )
            )
        # three recorded draws (of three plans: one current draw per plan): before the
        # findings, after them with entity 1, after them without it
        for draw_id, on, drawn in (
            ("DR-JAN", "2026-01-10", [1, 2]),
            ("DR-FEB", "2026-02-20", [1, 3]),
            ("DR-MAR", "2026-03-01", [4, 5]),
        ):
            plan = Plan(department_code=DEPT, policy={"mode": "budget", "budget": 2})
            session.add(plan)
            session.flush()
            session.add(
                Draw(
                    draw_id=draw_id,
                    plan_id=plan.id,
                    seed="1",
                    algorithm_version="1",
                    frame_sha256="0" * 64,
                    frame_size=6,
                    sample_size=2,
                    receipt={"parameters": {"department_code": DEPT, "on": on}},
                )
            )
            session.flush()
            for i in drawn:
                session.add(
                    DrawnEntity(
                        draw_id=draw_id,
                        uscc=uscc_of(i),
                        name=f"张{i}烧烤店",
                        region_code="370702",
                        tier="A",
                        inclusion_prob=0.5,
                        stratum="370702/A",
                    )
                )
    return engine


def results_frame(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": [uscc_of(i) for i, _, _ in rows],
            "department_code": DEPT,
            "inspected_on": [pd.Timestamp(d) for _, d, _ in rows],
            "result_code": [c for _, _, c in rows],
            "draw_id": "D-2026-01",
            "notes": "",
        }
    )


def record(
    session: Session, rows: list[tuple[int, str, str]], scheme: str = "weifang-4"
) -> list[TierChange]:
    recorded = import_results(session, results_frame(rows), calendar=CAL, rules=RULES)
    return apply_findings(session, recorded, scheme=tier_scheme(scheme), rules=RULES, calendar=CAL)


def tier(session: Session, i: int, on: date, scheme: str = "weifang-4") -> str:
    return current_tier(session, uscc_of(i), DEPT, on=on, scheme=tier_scheme(scheme))


@pytest.mark.parametrize(
    ("scheme", "current", "code", "repeated", "expected"),
    [
        ("weifang-4", "A", "09", False, "B"),
        ("weifang-4", "C", "13", False, "D"),
        ("weifang-4", "D", "14", False, "D"),
        ("weifang-4", "A", "04", False, "D"),
        ("weifang-4", "B", "14", True, "D"),
        ("weifang-4", "B", "01", False, "B"),
        ("weifang-4", "B", "02", False, "B"),
        ("shandong-5", "A", "04", False, "E"),
        ("shandong-5", "C", "09", False, "D"),
        ("shandong-5", "D", "13", False, "E"),
    ],
)
def test_next_tier(scheme: str, current: str, code: str, repeated: bool, expected: str) -> None:
    assert next_tier(current, code, tier_scheme(scheme), RULES, repeated=repeated) == expected


def test_results_get_deadlines_and_findings_move_tiers(engine) -> None:
    with session_scope(engine) as session:
        changes = record(
            session,
            [
                (1, "2026-02-13", "09"),
                (2, "2026-02-13", "13"),
                (3, "2026-02-13", "04"),
                (4, "2026-03-02", "14"),
                (5, "2026-02-13", "01"),
            ],
        )
        assert {(c.uscc, c.from_tier, c.to_tier) for c in changes} == {
            (uscc_of(1), "A", "B"),
            (uscc_of(2), "B", "C"),
            (uscc_of(3), "A", "D"),
            (uscc_of(4), "B", "C"),
        }
        first = next(c for c in changes if c.uscc == uscc_of(1))
        assert first.report_due == date(2026, 3, 2)  # 7 working days incl. make-up 02-14 and 02-28
        result = session.exec(
            select(InspectionResult).where(InspectionResult.uscc == uscc_of(1))
        ).one()
        assert result.publication_due == date(2026, 3, 19)
        # a repeated 14 within a year sends entity 4 to the worst tier
        again = record(session, [(4, "2026-06-01", "14")])
        assert [(c.from_tier, c.to_tier) for c in again] == [("C", "D")]
        assert (
            tier(session, 4, date(2026, 6, 2)) == "D" and tier(session, 5, date(2026, 6, 2)) == "B"
        )
        history = session.exec(select(Inspection).where(Inspection.uscc == uscc_of(4))).all()
        assert sorted(h.result_code for h in history) == ["14", "14"]
        kinds = [e.kind for e in session.exec(select(AuditEvent)).all()]
        assert kinds.count("tier.change") == 5 and kinds.count("results.import") == 2


def test_five_tier_scheme(engine) -> None:
    with session_scope(engine) as session:
        changes = record(
            session, [(3, "2026-02-13", "04"), (1, "2026-02-13", "13")], scheme="shandong-5"
        )
        assert {(c.from_tier, c.to_tier) for c in changes} == {("A", "E"), ("A", "B")}


def test_duplicate_and_unknown_results_are_rejected_together(engine) -> None:
    with session_scope(engine) as session:
        record(session, [(1, "2026-02-13", "01")])
    frame = results_frame([(1, "2026-02-13", "01"), (2, "2026-02-13", "01")])
    frame.loc[1, "uscc"] = uscc_of(99)
    with pytest.raises(InvalidInputError) as info, session_scope(engine) as session:
        import_results(session, frame, calendar=CAL, source="r.csv")
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "inspected_on"), (3, "uscc")]


def test_objection_upheld_corrects_rating_and_flags_draws(engine) -> None:
    scheme = tier_scheme()
    with session_scope(engine) as session:
        record(session, [(1, "2026-02-13", "09")])
        objection = file_objection(
            session,
            uscc=uscc_of(1),
            department_code=DEPT,
            filed_on=date(2026, 2, 25),
            reason="整改已完成",
            calendar=CAL,
            rules=RULES,
        )
        assert objection.due_on == date(2026, 3, 3)  # 26, 27, 28 (make-up), 03-02, 03-03
        decided = decide_objection(
            session,
            objection.id,
            decided_on=date(2026, 3, 2),
            upheld=True,
            scheme=scheme,
            calendar=CAL,
            rules=RULES,
        )
        assert decided.corrected_tier == "A" and tier(session, 1, date(2026, 3, 2)) == "A"
        flagged = session.exec(select(ObjectionDraw)).all()
        assert sorted((f.draw_id, f.drew_entity) for f in flagged) == [
            ("DR-FEB", True),
            ("DR-MAR", False),
        ]
        correction = session.exec(select(TierChange).where(TierChange.cause == "objection")).one()
        assert (correction.from_tier, correction.to_tier, correction.report_due) == (
            "B",
            "A",
            date(2026, 3, 11),
        )
        with pytest.raises(InvalidInputError, match="already decided"):
            decide_objection(
                session,
                objection.id,
                decided_on=date(2026, 3, 3),
                upheld=False,
                scheme=scheme,
                calendar=CAL,
                rules=RULES,
            )
        kinds = {e.kind for e in session.exec(select(AuditEvent)).all()}
        assert {"objection.file", "objection.decide"} <= kinds


def test_objection_rejected_changes_nothing(engine) -> None:
    with session_scope(engine) as session:
        record(session, [(2, "2026-02-13", "13")])
        o = file_objection(
            session,
            uscc=uscc_of(2),
            department_code=DEPT,
            filed_on=date(2026, 2, 24),
            calendar=CAL,
            rules=RULES,
        )
        decide_objection(
            session,
            o.id,
            decided_on=date(2026, 2, 26),
            upheld=False,
            scheme=tier_scheme(),
            calendar=CAL,
            rules=RULES,
        )
        assert tier(session, 2, date(2026, 3, 1)) == "C"
        assert session.exec(select(ObjectionDraw)).all() == []
        with pytest.raises(NotFoundError):
            file_objection(
                session,
                uscc=uscc_of(6),
                department_code=DEPT,
                filed_on=date(2026, 2, 24),
                calendar=CAL,
                rules=RULES,
            )


def test_credit_repair_after_minimum_publicity_period(engine) -> None:
    scheme = tier_scheme()
    with session_scope(engine) as session:
        record(session, [(2, "2026-02-13", "13"), (3, "2026-02-13", "04")])
        with pytest.raises(InvalidInputError, match="possible from 2026-05-14"):
            apply_repair(
                session,
                uscc=uscc_of(2),
                department_code=DEPT,
                applied_on=date(2026, 5, 13),
                scheme=scheme,
                rules=RULES,
            )
        with pytest.raises(
            InvalidInputError, match="possible from 2027-02-13"
        ):  # worst tier: one year
            apply_repair(
                session,
                uscc=uscc_of(3),
                department_code=DEPT,
                applied_on=date(2026, 9, 1),
                scheme=scheme,
                rules=RULES,
            )
        repair = apply_repair(
            session,
            uscc=uscc_of(2),
            department_code=DEPT,
            applied_on=date(2026, 5, 14),
            scheme=scheme,
            rules=RULES,
        )
        done = complete_repair(
            session,
            repair.id,
            completed_on=date(2026, 9, 30),
            scheme=scheme,
            calendar=CAL,
            rules=RULES,
        )
        assert (done.restored_tier, done.report_due) == (
            "B",
            date(2026, 10, 9),
        )  # over National Day
        assert tier(session, 2, date(2026, 10, 1)) == "B"
        report_repair(session, repair.id, on=date(2026, 10, 12))
        items = all_deadlines(session, on=date(2026, 10, 12), calendar=CAL)
        repair_item = next(d for d in items if d.kind == "report_repair")
        assert repair_item.status == "late"


def test_deadline_tracker_and_reports(engine) -> None:
    with session_scope(engine) as session:
        record(session, [(1, "2026-02-13", "09"), (5, "2026-02-13", "01")])
        ids = [r.id for r in session.exec(select(InspectionResult)).all()]
        mark_published(session, ids[:1], on=date(2026, 3, 10))
        items = all_deadlines(session, on=date(2026, 3, 20), calendar=CAL)
        statuses = sorted((d.kind, d.status) for d in items)
        assert statuses == [
            ("publish_result", "done"),
            ("publish_result", "overdue"),
            ("report_rating", "overdue"),
        ]
        assert report_ratings(session, on=date(2026, 3, 20)) == 1
        items = all_deadlines(session, on=date(2026, 3, 20), calendar=CAL)
        assert next(d for d in items if d.kind == "report_rating").status == "late"
        with pytest.raises(NotFoundError):
            mark_published(session, [9999], on=date(2026, 3, 10))


def test_rules_file(tmp_path) -> None:
    path = tmp_path / "rules.json"
    path.write_text('{"down_one": ["09", "2"], "objection_days": 7}', encoding="utf-8")
    rules = load_rules(path)
    assert rules.down_one == frozenset({"09", "02"}) and rules.objection_days == 7
    path.write_text('{"down_one": ["99"], "publication_days": -1, "bogus": 1}', encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        load_rules(path)
    assert {p.column for p in info.value.problems} == {"down_one", "publication_days", "bogus"}


def test_cli_lifecycle(engine, tmp_path, capsys) -> None:
    from scheduler.cli import main

    url = str(engine.url)
    one, two = uscc_of(1), uscc_of(2)
    results = tmp_path / "results.csv"
    results.write_text(
        "统一社会信用代码,检查部门,检查日期,检查结果\n"
        f"{uscc_of(1)},{DEPT},2026-02-13,09\n{uscc_of(2)},{DEPT},2026-02-13,13\n",
        encoding="utf-8-sig",
    )
    assert main(["results", "import", str(results), "--url", url]) == 0
    assert "recorded 2 results (2 tier changes)" in capsys.readouterr().out
    assert main(["results", "import", str(results), "--url", url]) == 2  # already recorded
    assert main(["objection", "file", "--uscc", one, "--department", DEPT, "--on", "2026-02-25",
                 "--url", url]) == 0  # fmt: skip
    assert "decide by 2026-03-03" in capsys.readouterr().out
    assert main(["objection", "decide", "1", "--upheld", "--on", "2026-03-04", "--url", url]) == 0
    assert "upheld (late); tier A; flagged draws: DR-FEB, DR-MAR" in capsys.readouterr().out
    assert main(["repair", "apply", "--uscc", two, "--department", DEPT, "--on", "2026-03-01",
                 "--url", url]) == 2  # fmt: skip
    assert "possible from 2026-05-14" in capsys.readouterr().err
    assert main(["repair", "apply", "--uscc", two, "--department", DEPT, "--on", "2026-06-01",
                 "--url", url]) == 0  # fmt: skip
    assert main(["repair", "complete", "1", "--on", "2026-09-30", "--url", url]) == 0
    assert "tier restored to B; report by 2026-10-09" in capsys.readouterr().out
    assert main(["repair", "report", "1", "--on", "2026-10-09", "--url", url]) == 0
    assert main(["report-ratings", "--on", "2026-03-05", "--url", url]) == 0
    assert "reported 3 rating changes" in capsys.readouterr().out
    assert main(["deadlines", "--on", "2026-10-12", "--status", "overdue", "--url", url]) == 0
    assert "overdue 2" in capsys.readouterr().out  # both results never published
    assert main(["objection", "decide", "7", "--upheld", "--url", url]) == 2
    assert main(["deadlines", "--on", "2026-02-30", "--url", url]) == 2
