"""The demo plan: one plan on the loaded directory, drawn and assigned.

``./run.sh demo`` calls this after loading ``sample_data/`` so that the
dashboard opens on a plan a planner can inspect at once. Running it again
changes nothing: the demo plan is found by name and reused. The plan verifies
credit commitments (承诺核查) falling due by its last day, so the demo draw
shows them as units drawn with probability 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import select

from scheduler.data.reference import tier_scheme
from scheduler.draw.plan_state import current_draw_id, latest_run_id
from scheduler.draw.plans import create_plan, run_plan_draw
from scheduler.draw.policy import make_policy
from scheduler.store.engine import init_db, session_scope
from scheduler.store.models.plans import Plan

__all__ = ["DEMO_PLAN_NAME", "DEMO_SEED", "DemoPlan", "prepare_demo"]

DEMO_PLAN_NAME = "示例：市市场监管局 2026年12月 双随机抽查"

DEMO_SEED = 20261126
"""Seed of the demo draw and assignment; the dashboard's matching form defaults to it, so
re-running the demo plan's matching there reproduces the recorded assignment."""


@dataclass(frozen=True)
class DemoPlan:
    plan_id: int
    draw_id: str
    run_id: int
    sample_size: int
    created: bool
    """False when an earlier run had already prepared everything."""


def _demo_plan_id(
    engine: Engine, department: str, preset: str, start: date, end: date, actor: str
) -> int:
    with session_scope(engine) as session:
        found = session.exec(select(Plan).where(Plan.name == DEMO_PLAN_NAME)).first()
        if found is not None and found.id is not None:
            return found.id
        plan = create_plan(
            session,
            name=DEMO_PLAN_NAME,
            department_code=department,
            policy=make_policy(tier_scheme(), preset_name=preset),
            start=start,
            end=end,
            actor=actor,
            verify_commitments=True,  # 承诺核查: commitments due by the window's end
        )
        assert plan.id is not None
        return plan.id


def prepare_demo(
    engine: Engine,
    *,
    seed: int,
    department: str = "MARKET",
    preset: str = "weifang-default",
    start: date = date(2026, 12, 1),
    end: date = date(2026, 12, 31),
    actor: str = "demo",
) -> DemoPlan:
    """Create (or find) the demo plan, draw it and assign it, each step recorded and audited."""
    # the solver stack loads here, not when the CLI merely reads DEMO_SEED
    from scheduler.matching import AssignSettings, assign
    from scheduler.matching.store import draws_from_db, record_run

    init_db(engine)
    plan_id = _demo_plan_id(engine, department, preset, start, end, actor)
    created = False
    draw_id = current_draw_id(engine, plan_id)
    if draw_id is None:
        draw_id = run_plan_draw(engine, plan_id, seed, actor=actor).draw_id
        created = True
    run_id = latest_run_id(engine, draw_id)
    draws, _window = draws_from_db(engine, [draw_id])
    if run_id is None:
        from scheduler.store.loader import directory_from_db

        result = assign(
            directory_from_db(engine),
            draws,
            start=start,
            end=end,
            settings=AssignSettings(),
            rng=seed,
        )
        with session_scope(engine) as session:
            run_id = record_run(session, result, actor=actor)
        created = True
    return DemoPlan(plan_id, draw_id, run_id, sum(len(d.frame) for d in draws), created)
