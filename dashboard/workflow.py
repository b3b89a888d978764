"""Where the dashboard keeps the plan being worked on: plans, their draws, their assignment.

The pages talk to this module only, so where the objects live (the session
now; the database tables of ``scheduler.models.plans`` once they exist) is one
decision in one place. Nothing here computes: the objects are results of
``scheduler`` functions, stored and looked up by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import streamlit as st

__all__ = ["PlanSpec", "plans", "save_plan", "get_plan", "draws_of", "save_draws", "assignment_of", "save_assignment"]

_PLANS = "workflow__plans"
_DRAWS = "workflow__draws"
_ASSIGNMENTS = "workflow__assignments"


@dataclass(frozen=True)
class PlanSpec:
    """One inspection plan: what to draw (per department) and the window to inspect in."""

    plan_id: str
    name: str
    parameters: Any
    """``scheduler.draw.DrawParameters`` of the lead department."""
    joint_departments: tuple[str, ...]
    start: date
    end: date
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def departments(self) -> tuple[str, ...]:
        return (self.parameters.rules.department_code, *self.joint_departments)

    def parameters_for(self, department_code: str) -> Any:
        """The lead's parameters with the frame rules of another (joint) department."""
        if department_code == self.parameters.rules.department_code:
            return self.parameters
        rules = replace(self.parameters.rules, department_code=department_code, sectors=())
        return replace(self.parameters, rules=rules)


def _store(name: str) -> dict:
    if name not in st.session_state:
        st.session_state[name] = {}
    return st.session_state[name]


def plans() -> dict[str, PlanSpec]:
    """Plans by id, oldest first."""
    return dict(_store(_PLANS))


def save_plan(plan: PlanSpec) -> None:
    _store(_PLANS)[plan.plan_id] = plan


def get_plan(plan_id: str | None) -> PlanSpec | None:
    return _store(_PLANS).get(plan_id) if plan_id else None


def draws_of(plan_id: str) -> tuple[Any, ...]:
    """The plan's current draws (``scheduler.draw.DrawResult``), one per department."""
    return tuple(_store(_DRAWS).get(plan_id, ()))


def save_draws(plan_id: str, draws: tuple[Any, ...]) -> None:
    _store(_DRAWS)[plan_id] = tuple(draws)
    _store(_ASSIGNMENTS).pop(plan_id, None)  # a new draw voids the old assignment


def assignment_of(plan_id: str) -> Any | None:
    return _store(_ASSIGNMENTS).get(plan_id)


def save_assignment(plan_id: str, result: Any) -> None:
    _store(_ASSIGNMENTS)[plan_id] = result
