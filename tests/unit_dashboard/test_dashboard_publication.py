"""AppTest of the 导出 and 结果公示 pages: downloads, results entry, deadlines, objections."""

from __future__ import annotations

from datetime import timedelta

from dashboard_support import app_at, drawn, metrics, table_with, texts

from scheduler.store.auditlog import read_events
from scheduler.store.engine import make_engine


def _assigned(at):
    drawn(at)
    at.switch_page("app_pages/matching.py").run()
    at.button(key="FormSubmitter:matching__form-运行匹配").click().run(timeout=60)
    return at


def test_export_page_offers_lists_task_sheets_and_public_list(seeded_db: str) -> None:
    at = _assigned(app_at())
    at.switch_page("app_pages/exports.py").run(timeout=60)
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert len(labels) == 6  # list, task sheets, public list; XLSX and CSV each
    drawn_rows = int(labels[0].split("·")[1].split()[0])
    assert drawn_rows > 0 and labels[-1].endswith("行")


def test_export_page_without_assignment_has_no_task_sheets(seeded_db: str) -> None:
    at = drawn(app_at())
    at.switch_page("app_pages/exports.py").run(timeout=60)
    assert not at.exception
    assert len(at.get("download_button")) == 4
    assert "没有检查任务单" in texts(at)


def test_public_list_shows_the_audit_chain_head_and_events_name_the_local_actor(
    seeded_db: str,
) -> None:
    from scheduler.store.audit_chain import chain_head
    from scheduler.store.audit_verify import verify_audit

    at = drawn(app_at())
    at.switch_page("app_pages/exports.py").run(timeout=60)
    assert not at.exception
    engine = make_engine(seeded_db)
    try:
        head = chain_head(engine)
        assert f"审计链头：第 {head.seq} 条事件，SHA-256 {head.hash}" in texts(at)
        events = read_events(engine, kinds=["plan.created", "draw.created"])
        assert set(events["actor"]) == {"dashboard (local)"}
        assert verify_audit(engine).ok
    finally:
        engine.dispose()


def test_results_entry_feeds_the_deadline_tracker(seeded_db: str) -> None:
    at = _assigned(app_at())
    at.switch_page("app_pages/publication.py").run()
    assert not at.exception
    rows = at.data_editor[0].value
    assert "录入本次抽取的检查结果后显示估计。" in texts(at)
    at.session_state["publication__editor"] = {
        "edited_rows": {0: {"result_code": "01"}, 1: {"result_code": "02"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="publication__record").click().run()
    assert not at.exception
    assert "已保存 2 条检查结果" in at.success[0].value
    # Two results: every rate is flagged 样本量不足 and keeps a non-zero interval.
    estimates = table_with(at, "提示")
    assert (estimates["提示"] == "样本量不足").all()
    assert not (estimates["置信区间"] == "0.0%–0.0%").any()
    shown = metrics(at)
    assert int(shown["未到期"]) == 2 and int(shown["已逾期"]) == 0
    # 40 days later the two unpublished results are overdue (20 working days)
    first = min(rows["inspected_on"][:2])
    at.date_input(key="publication__today").set_value(first + timedelta(days=60)).run()
    assert int(metrics(at)["已逾期"]) == 2
    assert {"results.import"} <= set(read_events(make_engine(seeded_db))["kind"])


def test_objection_without_a_tier_change_is_refused_clearly(seeded_db: str) -> None:
    at = app_at("publication.py")
    at.text_input(key="publication__obj_uscc").input("91370702MA3C000000")
    at.button(key="FormSubmitter:publication__objection_form-提交异议").click().run()
    assert not at.exception
    assert at.error and "no rating change" in at.error[0].value


def test_results_page_opened_first_finds_the_assigned_plan(seeded_db: str) -> None:
    # a planner opening 结果公示 in a new session, without visiting the other pages first
    _assigned(app_at())
    fresh = app_at("publication.py")
    assert not fresh.exception
    assert len(fresh.data_editor) == 1
    assert "请先在" not in texts(fresh)
