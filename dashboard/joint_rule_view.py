"""The joint tier rule of a plan on the 抽查计划 page: asked, and shown in the saved plans.

The rules themselves live in ``scheduler.draw.frame.JOINT_TIER_RULES``; only their
names for the planner are here.
"""

from __future__ import annotations

from typing import Any

from dashboard.i18n import t
from scheduler.draw.frame import JOINT_TIER_RULES

__all__ = ["DEFAULT", "LABELS", "rule_input", "rule_cell"]

DEFAULT = "least_favourable"
LABELS = {
    "least_favourable": "The least favourable of the departments' tiers (default)",
    "most_favourable": "The most favourable of the departments' tiers",
    "lead": "The lead department's tier",
}
"""English names of ``JOINT_TIER_RULES`` (translated by ``t``)."""


def rule_input(container: Any, joint: list[str], key: str) -> str:
    """The rule chosen for a joint plan; a plan of one department keeps the default
    (the library refuses another rule without joint departments)."""
    if not joint:
        return DEFAULT
    return str(
        container.selectbox(
            t("An entity's tier in the joint plan"),
            list(JOINT_TIER_RULES),
            format_func=lambda rule: t(LABELS[rule]),
            key=key,
        )
    )


def rule_cell(plan: Any) -> str:
    """The saved-plans table's cell for ``plan`` (a ``workflow.PlanView``): empty unless joint."""
    return t(LABELS[plan.parameters.rules.joint_tier_rule]) if plan.joint_departments else ""
