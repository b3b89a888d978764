"""CLI command ``demo-plan``: the plan the dashboard opens on after ``./run.sh demo``."""

from __future__ import annotations

from typing import Annotated

import typer

from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console


def demo_plan(
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", help="Seed of the demo draw and assignment (default: 20261126, DEMO_SEED)."
        ),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Database URL (default: SCHEDULER_DATABASE_URL).")
    ] = None,
) -> None:
    """Create, draw and assign the demo plan on the loaded directory (idempotent)."""
    from scheduler.store.engine import make_engine
    from scheduler.views.demo import DEMO_SEED, prepare_demo

    seed = DEMO_SEED if seed is None else seed

    with console.status("drawing and assigning the demo plan"):
        demo = prepare_demo(make_engine(url), seed=seed, actor=cli_actor())
    state = "prepared" if demo.created else "already prepared"
    console.print(
        f"demo plan {demo.plan_id} {state}: draw {demo.draw_id} with {demo.sample_size} "
        f"entities, assignment run {demo.run_id}"
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("demo-plan")(demo_plan)
