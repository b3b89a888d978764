"""AppTest of the 抽查计划 and 随机抽取 pages: plans, draws, commit-reveal, verification."""

from __future__ import annotations

from dataclasses import replace

import pytest
from dashboard_support import app_at, drawn, metrics, table_with, texts

from scheduler.store.auditlog import read_events
from scheduler.store.engine import make_engine


def test_plan_page_previews_frame_and_expected_inspections(seeded_db: str) -> None:
    at = app_at("plans.py")
    assert not at.exception
    assert metrics(at)["抽样框主体数"] == "240"
    preview = at.dataframe[0].value
    assert list(preview["信用等级"].str[0]) == ["A", "B", "C", "D"]
    assert list(preview["入样概率"]) == ["3.0%", "5.0%", "15.0%", "50.0%"]  # weifang-default preset


def test_draw_page_runs_a_draw_and_shows_per_tier_counts(seeded_db: str) -> None:
    at = drawn(app_at())
    assert not at.exception
    drawn_count = int(metrics(at)["抽中"])
    per_tier = at.dataframe[0].value
    assert list(per_tier["信用等级"].str[0]) == ["A", "B", "C", "D"]
    assert per_tier["抽中"].sum() == drawn_count > 0
    assert per_tier["主体总数"].astype(int).sum() == 240
    # expected counts are the tier populations times the preset rates
    assert abs(per_tier["预期"].iloc[3] - 0.5 * int(per_tier["主体总数"].iloc[3])) < 1e-6
    assert "各等级抽中数" in texts(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载抽取凭证（JSON）" in labels
    events = read_events(make_engine(seeded_db), kinds=["draw.created"])
    assert len(events) == 1


def test_second_draw_needs_a_reason(seeded_db: str) -> None:
    at = drawn(app_at())
    assert at.button(key="draw__run").disabled
    at.text_input(key="draw__reason").input("企业名录更新后重新抽取")
    at.number_input(key="draw__seed").set_value(7)
    at.run()
    assert not at.button(key="draw__run").disabled
    at.button(key="draw__run").click().run()
    assert not at.exception
    kinds = set(read_events(make_engine(seeded_db))["kind"])
    assert {"draw.created", "draw.redrawn"} <= kinds


def test_commit_then_reveal_fixes_the_seed(seeded_db: str) -> None:
    at = app_at("plans.py")
    at.button(key="plans__save").click().run()
    at.switch_page("app_pages/draw.py").run()
    at.text_input(key="draw__reveal_at").input("2026-12-01 21:15")
    at.text_input(key="draw__value_source").input("福彩3D开奖号码")
    at.button(key="draw__commit").click().run()
    assert not at.exception
    assert "sha256" in at.code[0].value
    assert at.button(key="draw__run").disabled  # no public value yet
    at.text_input(key="draw__reveal").input("3 7 2").run()
    at.button(key="draw__run").click().run()
    assert not at.exception
    seed = at.metric[3].value
    assert len(seed) > 12  # a 128-bit seed, shortened for display
    events = read_events(make_engine(seeded_db))
    assert {"draw.commit", "draw.created"} <= set(events["kind"])


def test_audit_page_verifies_the_recorded_draw(seeded_db: str) -> None:
    at = drawn(app_at())
    at.switch_page("app_pages/audit.py").run()
    assert not at.exception
    audit = at.dataframe[0].value
    assert "随机抽取" in set(audit["事件"])  # draw.created, in the planner's language
    assert not audit["详情"].str.contains(r"[{}\[\]]").any()  # sentences, not raw JSON
    assert audit["详情"].str.contains("随机种子 20260101").any()  # a seed, not "20,260,101"
    at.button(key="audit__verify_recorded").click().run()
    assert not at.exception
    assert "完全复现" in at.success[0].value


def test_plan_page_previews_many_divisions_on_request(
    seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 10: a city-wide frame took minutes to read, on the way to choosing the divisions.
    import dashboard.views

    monkeypatch.setattr(dashboard.views, "AUTO_PREVIEW_ENTITIES", 100)  # 240 entities, 80 each
    at = app_at("plans.py")
    assert not at.exception
    assert "抽样框主体数" not in metrics(at)
    assert "预览在点击后生成" in texts(at)
    at.button(key="plans__save").click().run()  # saving needs no preview
    assert not at.exception
    assert "已保存计划" in texts(at)
    at.button(key="plans__preview").click().run()
    assert metrics(at)["抽样框主体数"] == "240"
    at.multiselect(key="plans__regions").set_value(["370702"]).run()  # 80 entities: at once
    assert not at.exception
    assert int(metrics(at)["抽样框主体数"]) == 80


def test_plan_form_asks_the_joint_tier_rule_and_the_draw_applies_it(seeded_db: str) -> None:
    # Issue 15: a stored plan carries its joint tier rule; the form asks only for joint plans.
    from scheduler.draw.plans import draw_receipt, get_plan
    from scheduler.store.engine import session_scope

    at = app_at("plans.py")
    assert "plans__joint_tier_rule" not in {s.key for s in at.selectbox}
    at.multiselect(key="plans__joint").set_value(["TAX"]).run()
    rule = at.selectbox(key="plans__joint_tier_rule")
    assert rule.label == "联合抽查中主体的信用等级取值"
    assert rule.value == "least_favourable"
    assert list(rule.options) == [
        "取各部门信用等级中最不利的（默认）",
        "取各部门信用等级中最有利的",
        "取牵头部门的信用等级",
    ]
    rule.set_value("lead").run()
    at.button(key="plans__save").click().run()
    assert not at.exception
    saved = table_with(at, "联合抽查等级取值")
    assert list(saved["联合抽查等级取值"]) == ["取牵头部门的信用等级"]
    engine = make_engine(seeded_db)
    with session_scope(engine) as session:
        assert get_plan(session, 1).joint_tier_rule == "lead"
    at.switch_page("app_pages/draw.py").run()
    at.radio(key="draw__mode").set_value("given").run()
    at.number_input(key="draw__seed").set_value(5)
    at.button(key="draw__run").click().run()
    assert not at.exception
    (draw_id,) = read_events(engine, kinds=["draw.created"])["subject"]
    assert draw_receipt(engine, draw_id)["parameters"]["joint_tier_rule"] == "lead"
    engine.dispose()
    at.switch_page("app_pages/plans.py").run()
    at.sidebar.radio[0].set_value("en").run()
    at.multiselect(key="plans__joint").set_value(["TAX"]).run()
    assert at.selectbox(key="plans__joint_tier_rule").label == "An entity's tier in the joint plan"
    saved = table_with(at, "Tier in the joint plan")
    assert list(saved["Tier in the joint plan"]) == ["The lead department's tier"]


def test_annual_programme_counts_the_departments_frame_on_request(seeded_db: str) -> None:
    """The programme's populations are the department's frame per tier, read from the database.

    (The page once counted a directory without entities: every tier showed 0.)
    """
    from scheduler.data.reference import preset
    from scheduler.draw.programme import programme_rules, tier_populations
    from scheduler.store.loader import directory_from_db

    at = app_at("plans.py")
    assert not at.exception
    assert "统计本部门检查对象" in [b.label for b in at.button]
    assert not any("同一主体最短检查间隔（月）" in f.value.columns for f in at.dataframe)
    at.selectbox(key="programme__department").set_value("MARKET").run()
    at.button(key="programme__count").click().run()
    assert not at.exception
    department = at.selectbox(key="programme__department").value
    scheme = preset(at.selectbox(key="programme__preset").value).scheme
    rules = programme_rules(department, 2026, scheme)
    expected = tier_populations(directory_from_db(make_engine(seeded_db)), rules)
    shown = table_with(at, "同一主体最短检查间隔（月）")
    assert (
        dict(zip(shown["信用等级"], shown["主体总数"].astype(int), strict=True)) == expected.counts
    )
    assert sum(expected.counts.values()) > 100
    at.selectbox(key="programme__department").set_value("TAX").run()  # asked once: counts
    tax = tier_populations(
        directory_from_db(make_engine(seeded_db)), replace(rules, department_code="TAX")
    )
    shown = table_with(at, "同一主体最短检查间隔（月）")
    assert dict(zip(shown["信用等级"], shown["主体总数"].astype(int), strict=True)) == tax.counts
