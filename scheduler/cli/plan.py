"""CLI commands of the plan area: plan create, plan list.

Split from ``scheduler.cli.draw``: plans are stored in the database and
drawn later with ``scheduler draw --plan``. The commands parse options, call
``scheduler.draw.plans`` and print.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console
from scheduler.cli.draw_options import (
    JointTierRule,
    Url,
    codes,
    optional_day,
    tier_months,
    tier_policy,
)

__all__ = ["register"]

plan_app = typer.Typer(help="Inspection plans stored in the database.", no_args_is_help=True)
SINGLE_WINDOW = ("window", "none", "off")


def _plan_months(text: str | None, preset: str | None) -> dict[str, int] | None:
    """``--tier-months``: ``None`` (absent or ``preset``) lets the library take the preset's,
    ``window`` keeps the single window, ``A=24,...`` overrides."""
    if text is None or text.strip().lower() == "preset":
        return None
    if text.strip().lower() in SINGLE_WINDOW:
        return {}
    return dict(tier_months(text, preset))


def plan_create(
    department: Annotated[str, typer.Option("--department", help="Lead department code.")],
    preset: Annotated[str | None, typer.Option("--preset")] = None,
    rates: Annotated[str | None, typer.Option("--rates")] = None,
    budget: Annotated[int | None, typer.Option("--budget")] = None,
    weights: Annotated[str | None, typer.Option("--weights")] = None,
    sectors: Annotated[str | None, typer.Option("--sectors")] = None,
    regions: Annotated[str | None, typer.Option("--regions")] = None,
    entity_types: Annotated[str | None, typer.Option("--entity-types")] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="First inspection day (also the draw's --on).")
    ] = None,
    end: Annotated[str | None, typer.Option("--end")] = None,
    joint: Annotated[
        str | None, typer.Option("--joint", help="Departments joining the visits.")
    ] = None,
    joint_tier_rule: JointTierRule = "least_favourable",
    name: Annotated[str, typer.Option("--name")] = "",
    repeat_window: Annotated[
        int,
        typer.Option(
            "--repeat-window-months", help="The single window, with --tier-months window."
        ),
    ] = 12,
    months_by_tier: Annotated[
        str | None,
        typer.Option(
            "--tier-months",
            help="Repeat control by tier: 'preset' (default: the preset's min_months, "
            "A=24,B=12,C=6,D=3 unless the preset has its own), A=24,B=12,C=6,D=3 to "
            "override, or 'window' for the single --repeat-window-months.",
        ),
    ] = None,
    scheme: Annotated[str | None, typer.Option("--scheme")] = None,
    verify_commitments: Annotated[
        bool,
        typer.Option(
            "--verify-commitments", help="承诺核查: draw every pending commitment due by --end."
        ),
    ] = False,
    url: Url = None,
) -> None:
    """Store an inspection plan; prints its id."""
    from scheduler.draw.plans import create_plan
    from scheduler.store.engine import init_db, make_engine, session_scope

    policy = tier_policy(scheme, preset, rates, budget, weights)
    engine = make_engine(url)
    init_db(engine)
    with session_scope(engine) as session:
        plan = create_plan(
            session,
            department_code=department,
            policy=policy,
            name=name,
            sectors=codes(sectors),
            regions=codes(regions),
            entity_types=codes(entity_types),
            joint_departments=codes(joint),
            joint_tier_rule=joint_tier_rule,
            start=optional_day(start, "--start"),
            end=optional_day(end, "--end"),
            repeat_window_months=repeat_window,
            actor=cli_actor(),
            verify_commitments=verify_commitments,
            tier_months=_plan_months(months_by_tier, preset),
        )
        plan_id = plan.id
        months = dict(plan.tier_months or {})
    control = (
        "repeat control by tier " + ",".join(f"{t}={m}" for t, m in months.items()) + " months"
        if months
        else f"repeat control {repeat_window} months"
    )
    console.print(f"plan {plan_id} created ({control})", markup=False)


def plan_list(url: Url = None) -> None:
    """List stored plans and their draws."""
    from sqlmodel import Session

    from scheduler.draw.plans import list_draws, list_plans
    from scheduler.store.engine import init_db, make_engine

    engine = make_engine(url)
    init_db(engine)
    with Session(engine) as session:
        plans = list_plans(session)
        rows = [
            (
                p.id,
                p.department_code,
                p.name,
                p.policy,
                p.start,
                p.end,
                f"{p.joint_departments} ({p.joint_tier_rule})" if p.joint_departments else "",
                ",".join(f"{t}={m}" for t, m in sorted((p.tier_months or {}).items()))
                or f"{p.repeat_window_months} (all tiers)",
            )
            for p in plans
        ]
    draws = list_draws(engine)
    table = Table(title="plans")
    for column in ("id", "department", "name", "policy", "window", "joint", "months", "draws"):
        table.add_column(column)
    for pid, dept, name, policy, start, end, joint, months in rows:
        mine = draws[draws["plan_id"] == pid]
        label = ", ".join(
            f"{d}{' (superseded)' if s else ''}"
            for d, s in zip(mine["draw_id"], mine["superseded_by"], strict=True)
        )
        window = f"{start or ''}..{end or ''}"
        table.add_row(str(pid), dept, name, str(policy), window, joint, months, label or "-")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    plan_app.command("create")(plan_create)
    plan_app.command("list")(plan_list)
    app.add_typer(plan_app, name="plan")
