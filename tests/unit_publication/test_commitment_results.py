"""Results on 承诺核查 visits mark commitments broken, in the results' transaction (issue 15)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from commitments_support import ON, UNTIL, C, make_directory

from scheduler.cli import main
from scheduler.data.calendar import WorkingCalendar
from scheduler.data.reference import tier_scheme
from scheduler.draw.plans import create_plan, run_plan_draw
from scheduler.draw.policy import make_policy
from scheduler.errors import InvalidInputError
from scheduler.publication.commitment_findings import checked_commitments
from scheduler.publication.commitments import revoked_list
from scheduler.publication.inputs import read_results
from scheduler.publication.results import import_results
from scheduler.store.auditlog import read_events
from scheduler.store.engine import init_db, make_engine, session_scope
from scheduler.store.loader import directory_from_db, load_directory

ITEM = "告知承诺：符合许可条件"
SECOND = "容缺受理：限期补齐申报材料"
HEADER = "统一社会信用代码,检查部门,检查日期,检查结果,抽查编号,承诺核查结论,承诺事项\n"


@pytest.fixture
def drawn(tmp_path: Path):
    """A database with the commitments directory and a recorded 承诺核查 draw of MARKET."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, make_directory())
    policy = make_policy(tier_scheme(), rates={"A": 0.1, "B": 0.2, "C": 0.4, "D": 0.8})
    with session_scope(engine) as session:
        plan_id = create_plan(
            session, department_code="MARKET", policy=policy, regions=("370702",),
            start=ON, end=UNTIL, verify_commitments=True, actor="test",
        ).id  # fmt: skip
    result = run_plan_draw(engine, int(plan_id or 0), 5, actor="test")
    yield engine, result.draw_id
    engine.dispose()


def _statuses(engine) -> dict[tuple[str, str], str]:
    table = directory_from_db(engine).commitments
    return {
        (u, i): s for u, i, s in zip(table["uscc"], table["item"], table["status"], strict=True)
    }


def test_the_form_knows_which_commitments_each_visit_checks(drawn) -> None:
    engine, draw_id = drawn
    with session_scope(engine) as session:
        checked = checked_commitments(session, draw_id)
    assert checked == {C[3]: [ITEM, SECOND], C[41]: [ITEM], C[47]: [ITEM]}


def test_cli_results_mark_commitments_broken_with_the_lifecycle_rule(
    drawn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, draw_id = drawn
    (tmp_path / "rules.json").write_text('{"broken_commitment": "down_one"}', encoding="utf-8")
    results = tmp_path / "results.csv"
    results.write_text(
        HEADER
        + f"{C[41]},MARKET,2026-03-20,01,{draw_id},未履约,\n"
        + f"{C[3]},MARKET,2026-03-20,02,{draw_id},不实承诺,{ITEM}\n"
        + f"{C[47]},MARKET,2026-03-20,01,{draw_id},,\n",
        encoding="utf-8-sig",
    )
    before = len(read_events(engine))
    url = str(engine.url)
    rules = str(tmp_path / "rules.json")
    assert main(["results", "import", str(results), "--url", url, "--rules", rules]) == 0
    assert "2 commitments marked broken (不实承诺/未履约)" in capsys.readouterr().out
    statuses = _statuses(engine)
    assert statuses[(C[41], ITEM)] == "broken" and statuses[(C[3], ITEM)] == "broken"
    assert statuses[(C[3], SECOND)] == "pending" and statuses[(C[47], ITEM)] == "pending"
    assert sorted(revoked_list(engine)["uscc"]) == sorted([C[3], C[41]])
    events = read_events(engine).iloc[: len(read_events(engine)) - before]
    broken = events[events["kind"] == "commitment.broken"]
    assert len(broken) == 2
    details = [d if isinstance(d, dict) else json.loads(d) for d in broken["details"]]
    assert {d["draw_id"] for d in details} == {draw_id}
    assert sorted(d["kind"] for d in details) == ["不实承诺", "未履约"]
    assert (events["kind"] == "results.import").sum() == 1
    # down_one: 41 (B -> C) and 3 (D stays D, the worst tier)
    changes = events[events["kind"] == "tier.change"]
    assert len(changes) == 1
    assert main(["commitments", "revoked", "--out", str(tmp_path / "r.csv"), "--url", url]) == 0
    table = pd.read_csv(tmp_path / "r.csv", dtype=str, encoding="utf-8-sig")
    assert sorted(table["统一社会信用代码"]) == sorted([C[3], C[41]])


def _frame(rows: list[dict]) -> pd.DataFrame:
    base = {"result_code": "01", "notes": "", "commitment_item": ""}
    frame = pd.DataFrame([base | r for r in rows])
    frame["inspected_on"] = pd.to_datetime(frame["inspected_on"])
    return frame


def test_bad_findings_are_refused_row_by_row_and_nothing_is_written(drawn) -> None:
    engine, draw_id = drawn
    day = "2026-03-20"
    frame = _frame(
        [
            {"uscc": C[41], "department_code": "MARKET", "inspected_on": day, "draw_id": "",
             "commitment_breach": "未履约"},  # no draw: not a 承诺核查 visit
            {"uscc": C[5], "department_code": "MARKET", "inspected_on": day, "draw_id": draw_id,
             "commitment_breach": "未履约"},  # not a commitment check of the draw
            {"uscc": C[3], "department_code": "MARKET", "inspected_on": day, "draw_id": draw_id,
             "commitment_breach": "不实承诺"},  # two commitments checked, no item named
            {"uscc": C[41], "department_code": "TAX", "inspected_on": day, "draw_id": draw_id,
             "commitment_breach": "未履约"},  # made to MARKET, not TAX
            {"uscc": C[47], "department_code": "MARKET", "inspected_on": day, "draw_id": draw_id,
             "commitment_breach": "未履约", "commitment_item": "没有这一项"},
            {"uscc": C[41], "department_code": "MARKET", "inspected_on": "2025-12-01",
             "draw_id": draw_id, "commitment_breach": "未履约"},  # before it was made
            {"uscc": C[4], "department_code": "MARKET", "inspected_on": day, "draw_id": "NOPE",
             "commitment_breach": "不实承诺"},
            {"uscc": C[6], "department_code": "MARKET", "inspected_on": day, "draw_id": draw_id,
             "commitment_breach": ""},  # a plain result: fine
        ]
    )  # fmt: skip
    before = len(read_events(engine))
    with pytest.raises(InvalidInputError) as caught, session_scope(engine) as session:
        import_results(session, frame, calendar=WorkingCalendar(), source="r.csv")
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {
        (2, "draw_id"),
        (3, "commitment_breach"),
        (4, "commitment_item"),
        (5, "department_code"),
        (6, "commitment_item"),
        (7, "inspected_on"),
        (8, "draw_id"),
    }
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "not a commitment check" in reasons and "several pending commitments" in reasons
    assert all(p.file == "r.csv" for p in caught.value.problems)
    assert len(read_events(engine)) == before
    assert revoked_list(engine).empty
    assert set(_statuses(engine).values()) <= {"pending", "fulfilled"}
    with session_scope(engine) as session:
        from sqlmodel import select

        from scheduler.store.models.publication import InspectionResult

        assert session.exec(select(InspectionResult)).all() == []


def test_a_broken_commitment_cannot_be_found_broken_twice(drawn) -> None:
    engine, draw_id = drawn
    row = {"uscc": C[41], "department_code": "MARKET", "draw_id": draw_id,
           "commitment_breach": "未履约"}  # fmt: skip
    with session_scope(engine) as session:
        import_results(session, _frame([row | {"inspected_on": "2026-03-20"}]),
                       calendar=WorkingCalendar())  # fmt: skip
    with pytest.raises(InvalidInputError, match="no pending commitment"):
        with session_scope(engine) as session:
            import_results(session, _frame([row | {"inspected_on": "2026-03-21"}]),
                           calendar=WorkingCalendar())  # fmt: skip
    assert revoked_list(engine)["uscc"].tolist() == [C[41]]


def test_results_file_refuses_an_unknown_finding(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(
        HEADER + f"{C[41]},MARKET,2026-03-20,01,D1,违约,\n" + f"{C[3]},MARKET,2026-03-20,01,D1,,\n",
        encoding="utf-8-sig",
    )
    with pytest.raises(InvalidInputError) as caught:
        read_results(path)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        ("results.csv", 2, "commitment_breach")
    ]
    assert "不实承诺 or 未履约" in caught.value.problems[0].reason
    assert date(2026, 3, 20) == read_results_ok(tmp_path).iloc[0]["inspected_on"].date()


def read_results_ok(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "plain.csv"
    path.write_text(
        "uscc,department_code,inspected_on,result_code\n" + f"{C[3]},MARKET,2026-03-20,1\n"
    )
    frame = read_results(path)
    assert frame["commitment_breach"].tolist() == [""]  # an old file: no finding
    return frame


def test_dashboard_results_form_marks_a_checked_commitment_broken(
    empty_db: str, tmp_path: Path
) -> None:
    """Plan with 承诺核查 on the 抽查计划 page, draw, staff, then 结果公示 records a finding."""
    from dataclasses import replace

    from dashboard_support import app_at, seed_database, small_directory, texts

    from scheduler import clock
    from scheduler.data.folder_writer import write_folder

    base = small_directory()
    today = pd.Timestamp(clock.today())
    committed = base.entities[base.entities["region_code"] == "370702"]["uscc"].iloc[:2].tolist()
    commitments = pd.DataFrame(
        {
            "uscc": committed,
            "department_code": "MARKET",
            "item": [ITEM, SECOND],
            "committed_on": today - pd.Timedelta(days=30),
            "due_on": today + pd.Timedelta(days=10),
            "status": "pending",
        }
    )
    write_folder(replace(base, commitments=commitments), tmp_path / "folder")
    seed_database(empty_db, tmp_path / "folder")
    at = app_at("plans.py")
    at.checkbox(key="plans__verify_commitments").check().run()
    at.button(key="plans__save").click().run()
    assert not at.exception
    at.switch_page("app_pages/draw.py").run()
    at.radio(key="draw__mode").set_value("given").run()
    at.number_input(key="draw__seed").set_value(20260101)
    at.button(key="draw__run").click().run()
    assert "承诺核查：2 个主体以概率 1 抽中" in texts(at)
    at.switch_page("app_pages/matching.py").run()
    at.button(key="FormSubmitter:matching__form-运行匹配").click().run(timeout=60)
    at.switch_page("app_pages/publication.py").run()
    assert not at.exception
    rows = at.data_editor[0].value
    checked = rows.index[rows["uscc"] == committed[0]][0]
    assert rows.loc[checked, "commitment_check"] == ITEM
    assert rows.loc[checked, "commitment_item"] == ITEM  # the only one: filled in
    position = list(rows.index).index(checked)
    at.session_state["publication__editor"] = {
        "edited_rows": {position: {"result_code": "01", "commitment_breach": "不实承诺"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="publication__record").click().run()
    assert not at.exception
    assert "1 项承诺认定为不实承诺/未履约" in at.success[0].value
    engine = make_engine(empty_db)
    assert revoked_list(engine)["uscc"].tolist() == [committed[0]]
    assert "commitment.broken" in set(read_events(engine)["kind"])
    engine.dispose()
    at.switch_page("app_pages/overview.py").run()
    assert "不再适用信用承诺制名单" in texts(at)
