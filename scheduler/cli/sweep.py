"""CLI command ``sweep``: many rate vectors at one budget, their frontier, optionally on Dask."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from scheduler.cli.console import console, err_console, progress_bar
from scheduler.cli.simulation_options import (
    DataOption,
    DepartmentOption,
    FromDbOption,
    OnOption,
    PeriodOption,
    PeriodsOption,
    SchemeOption,
    SizeOption,
    given_population,
)
from scheduler.simulation.cluster import parse_cluster, run_tasks
from scheduler.simulation.seeded import seed_sequences, seeded_population
from scheduler.simulation.sweep import (
    SweepPayload,
    SweepResult,
    SweepTask,
    run_sweep,
    sweep_policies,
)
from scheduler.simulation.sweep_output import policies_frame, write_sweep

__all__ = ["register", "sweep_command"]


def sweep_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV, JSON and PNG results.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same results.")],
    grid: Annotated[
        str | None,
        typer.Option(
            "--grid",
            help="Rate grid per tier, start:stop:step (stop included) or one value, e.g. "
            "'A=0.01:0.05:0.02,D=0.3:0.7:0.2'; tiers not named keep the preset's rate.",
        ),
    ] = None,
    policies: Annotated[
        str | None,
        typer.Option(
            "--policies",
            help="Named policies to add, comma-separated: uniform, risk, preset names.",
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option("--preset", help="Base rates and budget (default: the default preset)."),
    ] = None,
    data: DataOption = None,
    size: SizeOption = None,
    from_db: FromDbOption = False,
    periods: PeriodsOption = 10,
    period: PeriodOption = "year",
    replications: Annotated[
        int, typer.Option("--replications", help="Independent simulated futures per policy.")
    ] = 100,
    budget: Annotated[
        float | None,
        typer.Option("--budget", help="Inspections a year; default: the preset's."),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="local:N (a Dask LocalCluster of N processes) or tcp://HOST:PORT (a running "
            "Dask scheduler); default: in this process.",
        ),
    ] = None,
    block: Annotated[
        int, typer.Option("--block", help="Replications per task (one policy each).")
    ] = 10,
    department: DepartmentOption = None,
    on: OnOption = None,
    scheme: SchemeOption = None,
    charts: Annotated[
        bool, typer.Option("--charts/--no-charts", help="Write frontier.png.")
    ] = True,
) -> None:
    """Sweep tier-rate vectors at one budget; write metrics with intervals and the frontier."""
    spec = parse_cluster(cluster)  # reject a bad address before any work
    _, simulation_seed = seed_sequences(seed)
    given = given_population(data, size, from_db, department, on.date() if on else None, scheme)
    population = seeded_population(seed, given, scheme)
    axes, base, chosen = sweep_policies(
        grid, (policies or "").split(","), preset, population.scheme
    )

    with progress_bar() as bar:
        task = bar.add_task("sweep tasks", total=None)

        def execute(
            payload: SweepPayload, tasks: list[SweepTask]
        ) -> Iterator[tuple[SweepTask, np.ndarray]]:
            bar.update(task, total=len(tasks))
            return run_tasks(
                payload,
                tasks,
                cluster=spec,
                progress=lambda done, _total: bar.update(task, completed=done),
                connected=lambda link: err_console.print(f"Dask dashboard: {link}"),
            )

        result = run_sweep(
            population,
            chosen,
            periods=periods,
            replications=replications,
            seed=seed,
            simulation_seed=simulation_seed,
            preset=base,
            grid=axes,
            unit=period,
            annual_budget=budget,
            block=block,
            execute=execute,
        )
    written = write_sweep(result, out, charts=charts)
    _print(result)
    console.print(f"wrote {len(written)} files to {out}")


def _print(sweep: SweepResult) -> None:
    frame = policies_frame(sweep).loc[lambda f: f["on_frontier"]]
    result = sweep.result
    table = Table(
        title=f"Frontier: {len(frame)} of {len(result.policies)} policies, "
        f"{result.budget_per_period * result.periods_per_year} inspections a year "
        f"(horizon means, {result.replications} replications)"
    )
    for column in (
        "policy",
        "scaled rates (%)",
        "hits/100",
        "compliant %",
        "best tier %",
        "cover 3y %",
    ):
        table.add_column(column, justify="left" if column == "policy" else "right")
    for _, row in frame.iterrows():
        rates = " ".join(f"{c}{100 * row[f'scaled_rate_{c}']:.3g}" for c in result.tier_codes)
        table.add_row(
            str(row["policy"]),
            rates,
            *(
                f"{row[f'{m}_mean']:.2f}"
                for m in ("hit_rate", "compliant_share", "best_tier_inspected", "coverage_3y")
            ),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("sweep")(sweep_command)
