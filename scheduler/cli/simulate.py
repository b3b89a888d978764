"""CLI command ``simulate``: compare sampling policies over the years at an equal budget."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from scheduler.cli.console import console, progress_bar
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
from scheduler.draw.policy import parse_tier_values
from scheduler.simulation import (
    ModelParameters,
    SimulationResult,
    simulate_seeded,
)
from scheduler.simulation.output import TABLE_METRICS, summary_dict, write_results

__all__ = ["register", "simulate_command"]


def _parameters(**given: float | str | None) -> ModelParameters:
    values: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if "propensity" in values:
        values["propensity"] = parse_tier_values(str(values["propensity"]), "--propensity")
    return ModelParameters(**values)


def simulate_command(
    policy: Annotated[
        list[str],
        typer.Option(
            "--policy",
            help="uniform, risk, a preset name (weifang-default, henan-2021, ...) or "
            "A=..,B=..,C=..,D=.. annual rates; repeat to compare.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for CSV, JSON and PNG results.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same results.")],
    data: DataOption = None,
    size: SizeOption = None,
    from_db: FromDbOption = False,
    periods: PeriodsOption = 10,
    period: PeriodOption = "year",
    replications: Annotated[
        int, typer.Option("--replications", help="Independent simulated futures.")
    ] = 100,
    workers: Annotated[int, typer.Option("--workers", help="Local processes in parallel.")] = 1,
    budget: Annotated[
        float | None,
        typer.Option("--budget", help="Inspections a year; default: the first rate policy's."),
    ] = None,
    department: DepartmentOption = None,
    on: OnOption = None,
    scheme: SchemeOption = None,
    propensity: Annotated[
        str | None,
        typer.Option("--propensity", help="Share in violation per true class, A=..,B=.."),
    ] = None,
    detection: Annotated[
        float | None, typer.Option("--detection", help="Chance an inspection finds a violation.")
    ] = None,
    self_correction: Annotated[
        float | None,
        typer.Option("--self-correction", help="Yearly chance a violation ends by itself."),
    ] = None,
    exit_rate: Annotated[
        float | None, typer.Option("--exit-rate", help="Yearly share of entities replaced.")
    ] = None,
    repair_after: Annotated[
        float | None, typer.Option("--repair-after", help="Years without findings before repair.")
    ] = None,
    repair_after_worst: Annotated[
        float | None,
        typer.Option("--repair-after-worst", help="Same, for the worst tier."),
    ] = None,
    repair_rate: Annotated[
        float | None,
        typer.Option("--repair-rate", help="Yearly chance an eligible entity repairs."),
    ] = None,
    rerating_rate: Annotated[
        float | None, typer.Option("--rerating-rate", help="Yearly chance of a fresh rating.")
    ] = None,
    rating_accuracy: Annotated[
        float | None, typer.Option("--rating-accuracy", help="Chance a rating reflects true risk.")
    ] = None,
    charts: Annotated[bool, typer.Option("--charts/--no-charts", help="Write PNG charts.")] = True,
) -> None:
    """Simulate policies over the years at an equal budget and write tidy results."""
    params = _parameters(
        propensity=propensity,
        detection=detection,
        self_correction=self_correction,
        exit_rate=exit_rate,
        repair_after_years=repair_after,
        repair_after_worst_years=repair_after_worst,
        repair_rate=repair_rate,
        rerating_rate=rerating_rate,
        rating_accuracy=rating_accuracy,
    )
    population = given_population(
        data, size, from_db, department, on.date() if on else None, scheme
    )
    with progress_bar() as bar:
        task = bar.add_task("replications", total=replications)
        result = simulate_seeded(
            seed,
            population,
            policy,
            periods=periods,
            replications=replications,
            scheme=scheme,
            params=params,
            unit=period,
            annual_budget=budget,
            workers=workers,
            progress=lambda done, _total: bar.update(task, completed=done),
        )
    written = write_results(result, out, charts=charts)
    _print(result)
    console.print(f"wrote {len(written)} files to {out}")


def _print(result: SimulationResult) -> None:
    summary = summary_dict(result)
    table = Table(
        title=f"{result.periods} {result.unit}s x {result.replications} replications, "
        f"{result.budget_per_period} inspections per {result.unit} "
        f"(mean over the horizon [95% interval])"
    )
    table.add_column("metric")
    for p in result.policies:
        table.add_column(p.name, justify="right")
    for name in TABLE_METRICS:
        metric = summary["metrics"][name]
        cells = []
        for p in result.policies:
            s = summary["results"][p.name][name]["horizon"]
            cells.append(
                "n/a" if s["mean"] is None else f"{s['mean']:.2f} [{s['lo']:.2f}, {s['hi']:.2f}]"
            )
        table.add_row(f"{metric['label']} ({metric['unit']})", *cells)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("simulate")(simulate_command)
