"""AppTest of the 人员匹配 page: workloads, teams, the diagnosis, relaxations, swaps."""

from __future__ import annotations

from dashboard_support import app_at, drawn, metrics, table_with, texts

from scheduler.store.auditlog import read_events
from scheduler.store.engine import make_engine


def _assign(at):
    at.switch_page("app_pages/matching.py").run()
    at.button(key="FormSubmitter:matching__form-运行匹配").click().run(timeout=60)
    return at


def test_matching_page_shows_workloads_and_teams(seeded_db: str) -> None:
    at = drawn(app_at())
    drawn_count = int(metrics(at)["抽中"])
    _assign(at)
    assert not at.exception
    shown = metrics(at)
    assert int(shown["检查次数"]) == drawn_count
    assert (
        0 < int(shown["个人最多任务"]) <= 30
    )  # capacity of every inspector in the small directory
    assert "执法人员任务量与上限" in texts(at)
    teams = table_with(at, "组长")
    assert len(teams) == drawn_count
    assert teams["组长"].str.contains(r"\(MK\d{5}\)").all()
    assert len(read_events(make_engine(seeded_db), kinds=["assignment.run"])) == 1


def test_infeasible_plan_shows_the_diagnosis_and_a_relaxation_fixes_it(tight_db: str) -> None:
    at = drawn(app_at())
    _assign(at)
    assert not at.exception
    assert at.error, "the plan must be reported infeasible"
    diagnosis = at.dataframe[0].value
    assert {"部门", "区县", "未分配", "缺口", "约束"} <= set(diagnosis.columns)
    assert (diagnosis["未分配"] > 0).all()
    relax = [b for b in at.button if b.key and b.key.startswith("matching__relax_")]
    assert relax, "a verified relaxation must be offered"
    relax[0].click().run(timeout=60)
    assert not at.exception
    assert int(metrics(at)["检查次数"]) > 0
    assert not at.error


def test_swap_is_rechecked_and_audited(seeded_db: str) -> None:
    at = _assign(drawn(app_at()))
    before = table_with(at, "组长")
    at.text_input(key="matching__swap_reason").input("回避：亲属关系")
    at.button(key="matching__swap").click().run(timeout=60)
    assert not at.exception
    assert "所有规则仍然满足" in at.success[0].value
    events = read_events(make_engine(seeded_db), kinds=["assignment.swap"])
    assert len(events) == 1 and events["details"][0]["reason"] == "回避：亲属关系"
    after = table_with(at, "组长")
    assert len(after) == len(before)


def test_the_matching_seed_defaults_to_the_demo_plans_seed(seeded_db: str) -> None:
    """Re-running the demo plan's matching on the page reproduces the recorded assignment."""
    from scheduler.views.demo import DEMO_SEED

    at = drawn(app_at())
    at.switch_page("app_pages/matching.py").run()
    assert at.number_input(key="matching__seed").value == DEMO_SEED
