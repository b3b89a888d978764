"""Repeat control by tier in stored plans: which months a plan carries, and the year's plans.

A plan stores, per tier, the minimum months between two inspections of one
entity by its department (``Plan.tier_months``). Unless told otherwise a new
plan carries its preset's ``min_months`` (a plan with own rates or a budget:
the default preset's, this project's defaults A 24, B 12, C 6, D 3); an empty
mapping keeps the single ``repeat_window_months``. ``draw --plan``, the
dashboard's draw and the annual programme read the months from here, so the
three agree on the limits a draw applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from scheduler.data.reference import default_preset, preset
from scheduler.draw.policy import Policy
from scheduler.errors import InvalidInputError

__all__ = ["PlannedYear", "plan_tier_months", "planned_year"]


def _tiers_of(policy: Policy) -> set[str]:
    return set(policy.rates or policy.weights)


def plan_tier_months(policy: Policy, given: Mapping[str, int] | None) -> dict[str, int]:
    """The per-tier months a plan stores: ``given`` (checked), or the preset's when ``None``.

    ``{}`` means no repeat control by tier (the single window). Raises
    ``InvalidInputError`` naming each tier that is missing, unknown or not a
    whole number of months >= 0.
    """
    tiers = _tiers_of(policy)
    if given is None:
        found = preset(policy.preset) if policy.preset else default_preset()
        months = dict(found.min_months)
        if tiers and set(months) != tiers:
            raise InvalidInputError(
                f"preset {found.name!r} has min_months for {', '.join(sorted(months))}, not for "
                f"the plan's tiers {', '.join(sorted(tiers))}; give the months per tier."
            )
        return dict(sorted(months.items()))
    months = dict(given)
    if not months:
        return {}
    problems = [f"tier_months lacks tier {t!r}" for t in sorted(tiers) if t not in months]
    problems += [
        f"tier_months has unknown tier {t!r}; the plan's tiers are {', '.join(sorted(tiers))}"
        for t in months
        if tiers and t not in tiers
    ]
    problems += [
        f"tier_months[{t!r}] must be a whole number >= 0; got {m!r}"
        for t, m in months.items()
        if isinstance(m, bool) or not isinstance(m, int) or m < 0
    ]
    if problems:
        raise InvalidInputError("; ".join(problems))
    return dict(sorted(months.items()))


@dataclass(frozen=True)
class PlannedYear:
    """A department's stored plans starting in one year, as the annual programme reads them."""

    department_code: str
    year: int
    plan_ids: tuple[int, ...]
    months_by_plan: dict[int, dict[str, int]]
    """The per-tier months of each plan that carries them (the others: the single window)."""

    @property
    def rounds(self) -> int:
        return len(self.plan_ids)

    @property
    def tier_months(self) -> dict[str, int]:
        """The months the plans carry, empty if none does.

        Plans that carry different months cannot be summarised by one programme:
        refused, naming the plans, so the caller gives the months explicitly.
        """
        distinct = {tuple(sorted(m.items())) for m in self.months_by_plan.values()}
        if len(distinct) > 1:
            listed = "; ".join(
                f"plan {p}: " + ",".join(f"{t}={m}" for t, m in sorted(months.items()))
                for p, months in self.months_by_plan.items()
            )
            raise InvalidInputError(
                f"the {self.year} plans of {self.department_code} carry different months per "
                f"tier ({listed}); give the months per tier."
            )
        return dict(distinct.pop()) if distinct else {}


def planned_year(session: Session, department_code: str, year: int) -> PlannedYear:
    """The department's plans starting in ``year`` and the per-tier months they carry."""
    from scheduler.store.models.plans import Plan

    table = Plan.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        select(table.c.id, table.c.tier_months)
        .where(
            (table.c.department_code == department_code)
            & (table.c.start >= date(year, 1, 1))
            & (table.c.start <= date(year, 12, 31))
        )
        .order_by(table.c.id)
    ).all()
    carried = {
        int(plan_id): {str(k): int(v) for k, v in sorted((months or {}).items())}
        for plan_id, months in rows
        if months
    }
    return PlannedYear(department_code, year, tuple(int(r[0]) for r in rows), carried)
