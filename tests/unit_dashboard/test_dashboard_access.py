"""Defence in depth: every page refuses a role on its own, even when run without the navigation.

Each page script is run directly (``AppTest.from_file``), so the navigation's
filtering does not apply: the page's own ``require`` must stop a role that
``scheduler.access.policy.may`` does not allow, and let the others in. The
navigation itself is checked through the entry script, and a planner's
draw page is checked to list only their department's plans.
"""

from __future__ import annotations

import pytest
from dashboard_support import APP, TIMEOUT, app_at, drawn
from streamlit.testing.v1 import AppTest

import dashboard.access
import dashboard.workflow
from dashboard.access import PAGE_ACTIONS
from dashboard.views import PAGES
from scheduler.access.policy import User, may

ROLES = {
    "admin": User("a@city.cn", "admin"),
    "planner": User("p@city.cn", "planner", frozenset({"MARKET"})),
    "other-planner": User("o@city.cn", "planner", frozenset({"TAX"})),
    "auditor": User("u@city.cn", "auditor"),
    "viewer": User("v@city.cn", "viewer"),
}
REFUSED = "您的角色无权使用此页面或执行此操作。"


def _as(monkeypatch: pytest.MonkeyPatch, user: User) -> None:
    monkeypatch.setattr(dashboard.access, "current_user", lambda: user)
    monkeypatch.setattr(dashboard.workflow, "current_user", lambda: user)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize(("file", "url"), [(p[0], p[3]) for p in PAGES])
def test_page_refuses_on_its_own(
    seeded_db: str, monkeypatch: pytest.MonkeyPatch, role: str, file: str, url: str
) -> None:
    user = ROLES[role]
    _as(monkeypatch, user)
    at = AppTest.from_file(str(APP.parent / "app_pages" / file), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    refused = [e.value for e in at.error if e.value == REFUSED]
    assert bool(refused) is (not may(user, PAGE_ACTIONS[url])), (role, file)


@pytest.mark.parametrize("role", list(ROLES))
def test_navigation_offers_only_allowed_pages(
    seeded_db: str, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    user = ROLES[role]
    _as(monkeypatch, user)
    monkeypatch.setattr(dashboard.access, "gate", lambda: user)  # the entry script imports it

    at = app_at().run()
    assert not at.exception, at.exception
    offered = {p[0] for p in PAGES if may(user, PAGE_ACTIONS[p[3]])}
    registered = set()
    for file, *_ in PAGES:
        try:
            at.switch_page(f"app_pages/{file}").run()
        except ValueError:  # AppTest: "Could not find a navigation page"
            continue
        registered.add(file)
        assert not any(e.value == REFUSED for e in at.error), (role, file)
    assert registered == offered


def test_planner_lists_only_their_departments_plans(
    seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn(app_at())  # as the local admin: a MARKET plan, drawn
    _as(monkeypatch, ROLES["planner"])
    assert list(dashboard.workflow.plans()) == [1]
    _as(monkeypatch, ROLES["other-planner"])
    assert dashboard.workflow.plans() == {}
    at = AppTest.from_file(str(APP.parent / "app_pages" / "draw.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert not at.selectbox  # no plan to choose, so no draw button either
    assert not [b for b in at.button if b.key == "draw__run"]


def test_auditor_sees_the_draw_but_cannot_run_it(
    seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn(app_at())
    _as(monkeypatch, ROLES["auditor"])
    at = AppTest.from_file(str(APP.parent / "app_pages" / "draw.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert at.button(key="draw__run").disabled
    assert at.metric  # the recorded draw is shown
