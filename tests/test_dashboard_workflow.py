"""The dashboard's workflow calls refuse bad input with a library error, never a crash."""

from __future__ import annotations

import pytest

import dashboard.workflow
from scheduler.access.policy import User
from scheduler.errors import NotFoundError


def test_run_draw_names_a_missing_plan(seeded_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # An admin passes the access check for any department, so the missing plan itself
    # must be refused (this was an AttributeError on None before the type check found it).
    admin = User("a@city.cn", "admin")
    monkeypatch.setattr(dashboard.workflow, "current_user", lambda: admin)
    assert 999 not in dashboard.workflow.plans()
    with pytest.raises(NotFoundError, match="no plan 999"):
        dashboard.workflow.run_draw(999, 1, seed_source={"kind": "given"}, reason=None)
