"""The plan being worked on, as the pages see it: plans, the live draw, the live assignment.

Everything is stored by ``scheduler`` in the database (``scheduler.draw.plans``,
``scheduler.matching.store``); this module only turns the stored rows into the
small views the pages render, and caches what never changes (a recorded draw
is immutable, so it is read once per draw id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlmodel import Session

from dashboard.access import current_user
from dashboard.i18n import t
from dashboard.state import cached_frame, current_actor, database_url, engine, key
from scheduler.access.policy import check, may
from scheduler.errors import NotFoundError

__all__ = [
    "PlanView",
    "DrawView",
    "plans",
    "select_plan",
    "create",
    "draw_view",
    "live_draw",
    "run_draw",
    "draw_inputs",
    "assignment_of",
    "staff",
    "swap",
]


@dataclass(frozen=True)
class PlanView:
    plan_id: int
    name: str
    department_code: str
    joint_departments: tuple[str, ...]
    start: date | None
    end: date | None
    parameters: Any
    """``scheduler.draw.run.DrawParameters`` as the plan will be drawn."""

    @property
    def departments(self) -> tuple[str, ...]:
        return (self.department_code, *self.joint_departments)


@dataclass(frozen=True)
class DrawView:
    draw_id: str
    plan_id: int
    department_code: str
    seed: int
    rows: pd.DataFrame
    receipt: dict


def plans(action: str = "view_plans") -> dict[int, PlanView]:
    """The plans the signed-in user may ``action`` (any of their departments), oldest first.

    This is where a planner's view narrows to their own departments: every
    page lists plans through here, so no page shows another department's plan.
    """
    from scheduler.draw.plans import list_plans, plan_parameters

    user = current_user()
    with Session(engine()) as session:
        return {
            int(p.id or 0): PlanView(
                plan_id=int(p.id or 0),
                name=p.name,
                department_code=p.department_code,
                joint_departments=tuple(c for c in p.joint_departments.split(";") if c),
                start=p.start,
                end=p.end,
                parameters=plan_parameters(p),
            )
            for p in list_plans(session)
            if any(
                may(user, action, code)
                for code in (p.department_code, *p.joint_departments.split(";"))
                if code
            )
        }


def create(**fields: Any) -> int:
    """Store a plan (``scheduler.draw.plans.create_plan`` arguments); returns its id."""
    from scheduler.draw.plans import create_plan
    from scheduler.store.engine import session_scope

    check(current_user(), "edit_plans", fields.get("department_code"))
    with session_scope(engine()) as session:
        plan = create_plan(session, actor=current_actor(), **fields)
        return int(plan.id or 0)


@st.cache_data(show_spinner=False, max_entries=32)
def _draw_view(url: str, draw_id: str, plan_id: int) -> DrawView:
    from scheduler.draw.plans import draw_receipt, draw_rows

    receipt = draw_receipt(engine(), draw_id)
    return DrawView(
        draw_id,
        plan_id,
        receipt["parameters"]["department_code"],
        int(receipt["seed"]),
        draw_rows(engine(), draw_id),
        receipt,
    )


def draw_view(draw_id: str, plan_id: int) -> DrawView:
    return _draw_view(database_url(), draw_id, plan_id)


def live_draw(plan_id: int) -> DrawView | None:
    """The plan's current (not superseded) draw."""
    from scheduler.draw.plan_state import current_draw_id

    draw_id = current_draw_id(engine(), plan_id)
    return draw_view(draw_id, plan_id) if draw_id else None


def run_draw(plan_id: int, seed: int, *, seed_source: dict, reason: str | None) -> str:
    """Draw and record the plan; returns the draw id.

    The frame is the one the preview built for the same rules and directory
    version (``cached_frame``), so a draw after its preview builds nothing again.
    """
    from scheduler.draw.plans import run_plan_draw

    plan = plans().get(plan_id)
    check(current_user(), "draw", plan.department_code if plan else "(a plan not yours)")
    if plan is None:  # an admin passes the check above
        raise NotFoundError(f"no plan {plan_id}")
    rules = plan.parameters.rules
    result = run_plan_draw(
        engine(),
        plan_id,
        seed,
        reason=reason,
        actor=current_actor(),
        frame=cached_frame(rules),
        seed_source=seed_source,
    )
    return result.draw_id


def draw_inputs(plan: PlanView, draw: DrawView) -> list:
    """The draw as matching input, once per department: joint departments join every visit."""
    from scheduler.matching import DrawInput

    return [
        DrawInput(draw.draw_id, code, draw.rows, source=draw.draw_id) for code in plan.departments
    ]


def assignment_of(draw_id: str) -> tuple[int, Any] | None:
    """``(run id, AssignmentResult)`` of the newest run that staffed ``draw_id``."""
    from scheduler.draw.plan_state import latest_run_id
    from scheduler.matching.store import load_run

    run_id = latest_run_id(engine(), draw_id)
    if run_id is None:
        return None
    with Session(engine()) as session:
        return run_id, load_run(session, run_id)


def planned_year(department_code: str, year: int) -> Any:
    """The department's stored plans of ``year`` and the per-tier months they carry."""
    from scheduler.draw.plan_months import planned_year as read

    with Session(engine()) as session:
        return read(session, department_code, year)


def staff(inputs: list, *, directory: Any, reason: str | None = None, **fields: Any) -> Any:
    """Staff and record (``scheduler.matching.actions.assign_and_record``); a ``Staffed``.

    ``fields``: ``start``, ``end``, ``settings``, ``calendar``, ``seed``, ``progress``.
    """
    from scheduler.matching.actions import assign_and_record

    return assign_and_record(
        engine(), directory, inputs, actor=current_actor(), reason=reason, **fields
    )


def swap(
    run_id: int, uscc: str, old_id: str, new_id: str, directory: Any, *, calendar: Any, reason: str
) -> Any:
    """Swap one inspector of a recorded run (``scheduler.matching.actions.swap_in_run``)."""
    from scheduler.matching.actions import swap_in_run

    return swap_in_run(
        engine(),
        run_id,
        uscc,
        old_id,
        new_id,
        directory,
        calendar=calendar,
        reason=reason,
        actor=current_actor(),
    )


def select_plan(page: str, plans: dict[int, PlanView]) -> int:
    """The plan selector every workflow page shows; remembers the choice across pages."""
    ids = list(plans)
    current = st.session_state.get("current_plan")
    plan_id = st.selectbox(
        t("Plan"),
        ids,
        index=ids.index(current) if current in ids else len(ids) - 1,
        format_func=lambda i: f"{i} · {plans[i].name}",
        key=key(page, "plan"),
        placeholder=t("Choose an option"),
    )
    st.session_state["current_plan"] = plan_id
    return plan_id
