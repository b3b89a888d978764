"""CLI commands of the draw area: draw, verify.

The commands parse options, call one library function each (``scheduler.draw``,
``scheduler.receipt``, ``scheduler.plans``) and print; errors are raised as
library errors and mapped to exit codes by ``scheduler.cli.main``. ``plan``
and ``substitute`` have their own modules; shared options are in
``scheduler.cli.draw_options``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scheduler import clock
from scheduler.cli.console import console, err_console, progress_bar
from scheduler.cli.draw_options import Url, codes, optional_day, tier_policy, uscc_list
from scheduler.errors import InvalidInputError, VerificationError

__all__ = ["register"]


def _summary(result) -> None:  # noqa: ANN001
    receipt = result.receipt
    table = Table(
        title=f"draw {result.draw_id}: {receipt['sample_size']} of {receipt['frame_size']} entities"
    )
    for column in ("tier", "population", "expected", "drawn"):
        table.add_column(column, justify="right")
    for tier, c in receipt["counts"]["tier"].items():
        table.add_row(tier, str(c["population"]), f"{c['expected']:.2f}", str(c["drawn"]))
    console.print(table)
    excluded = ", ".join(f"{k}: {v}" for k, v in receipt["excluded"].items()) or "none"
    console.print(f"excluded: {excluded}", markup=False)


def _file_draw(
    data: Path,
    parameters,
    seed: int | None,
    commit: Path | None,
    commitment: Path | None,  # noqa: ANN001
    reveal: str | None,
    reveal_at: str | None,
    value_source: str | None,
    out: Path | None,
    receipt: Path | None,
    reserves: Path | None,
) -> None:
    from scheduler.draw import draw_from_frame, write_draw_csv, write_reserves_csv
    from scheduler.frame import FRAME_INPUT, build_frame
    from scheduler.importer import read_folder
    from scheduler.receipt import (
        check_commitment,
        commitment_digest,
        make_commitment,
        normalise_reveal,
        read_json,
        seed_from_reveal,
        write_json,
    )

    with progress_bar() as progress:
        task = progress.add_task("reading the data folder", total=4)
        directory = read_folder(data, tables=FRAME_INPUT)  # only what the frame reads
        progress.update(task, advance=1, description="building the sampling frame")
        frame = build_frame(directory, parameters.rules)
        progress.update(task, advance=1, description="drawing")
        if commit is not None:
            if not reveal_at or not value_source:
                raise InvalidInputError(
                    "`--commit` needs --reveal-at (when) and --value-source (which public value)."
                )
            from scheduler.policy import unit_probabilities

            unit_probabilities(frame, parameters.policy)  # refuse a commitment that cannot be drawn
            document = make_commitment(
                frame, parameters, reveal_at=reveal_at, value_source=value_source
            )
            write_json(document, commit)
            progress.update(task, completed=4)
            console.print(
                f"commitment written to {commit}; SHA-256 {commitment_digest(document)}",
                markup=False,
            )
            console.print(f"publish it; reveal at {reveal_at} from {value_source}", markup=False)
            return
        seed_source = None
        if commitment is not None:
            document = read_json(commitment)
            problems = check_commitment(document, frame, parameters)
            if problems:
                raise VerificationError("refusing to draw: " + "; ".join(problems))
            seed = seed_from_reveal(document, reveal or "")
            seed_source = {
                "kind": "commit-reveal",
                "commitment": document,
                "commitment_sha256": commitment_digest(document),
                "reveal": normalise_reveal(reveal or ""),
                "derivation": document.get("seed_derivation", ""),
            }
        assert seed is not None
        result = draw_from_frame(frame, parameters, seed, seed_source=seed_source)
        progress.update(task, advance=1, description="writing")
        write_draw_csv(result.rows, out)  # type: ignore[arg-type]
        write_json(result.receipt, receipt)  # type: ignore[arg-type]
        if reserves is not None:
            write_reserves_csv(result.reserves, reserves)
        progress.update(task, advance=1)
    _summary(result)
    console.print(f"draw written to {out}, receipt to {receipt}", markup=False)


def draw(
    data: Annotated[
        Path | None, typer.Option("--data", help="Data folder (SPEC section 5).")
    ] = None,
    plan: Annotated[
        int | None, typer.Option("--plan", help="Draw a stored plan (database).")
    ] = None,
    department: Annotated[str | None, typer.Option("--department", help="Department code.")] = None,
    preset: Annotated[
        str | None, typer.Option("--preset", help="Named per-tier rates, e.g. weifang-default.")
    ] = None,
    rates: Annotated[
        str | None, typer.Option("--rates", help="Per-tier rates, e.g. A=0.03,B=0.05,C=0.15,D=0.5.")
    ] = None,
    budget: Annotated[
        int | None, typer.Option("--budget", help="Total number of inspections.")
    ] = None,
    weights: Annotated[
        str | None, typer.Option("--weights", help="Budget weights per tier (default 1:2:5:15).")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Seed (whole number >= 0); recorded in the receipt."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Draw CSV to write.")] = None,
    receipt: Annotated[
        Path | None, typer.Option("--receipt", help="Receipt JSON to write.")
    ] = None,
    reserves: Annotated[
        Path | None, typer.Option("--reserves", help="Also write the reserve lists (CSV).")
    ] = None,
    regions: Annotated[
        str | None, typer.Option("--regions", help="Region codes, comma-separated.")
    ] = None,
    sectors: Annotated[
        str | None, typer.Option("--sectors", help="Sector codes (of the department).")
    ] = None,
    entity_types: Annotated[
        str | None, typer.Option("--entity-types", help="Entity types, e.g. 企业,个体工商户.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Day the tiers and exclusions apply (default today).")
    ] = None,
    exempt: Annotated[
        Path | None, typer.Option("--exempt", help="File of USCCs not to draw.")
    ] = None,
    force: Annotated[
        Path | None, typer.Option("--force-include", help="File of USCCs drawn with probability 1.")
    ] = None,
    repeat_window: Annotated[
        int, typer.Option("--repeat-window-months", help="Repeat-control window.")
    ] = 12,
    scheme: Annotated[
        str | None, typer.Option("--scheme", help="Tier scheme (default: configured).")
    ] = None,
    commit: Annotated[
        Path | None, typer.Option("--commit", help="Write a commitment (no seed yet) and stop.")
    ] = None,
    commitment: Annotated[
        Path | None, typer.Option("--commitment", help="A published commitment to draw.")
    ] = None,
    reveal: Annotated[
        str | None, typer.Option("--reveal", help="The public value that fixes the seed.")
    ] = None,
    reveal_at: Annotated[
        str | None, typer.Option("--reveal-at", help="With --commit: when the value is revealed.")
    ] = None,
    value_source: Annotated[
        str | None, typer.Option("--value-source", help="With --commit: the public value's source.")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why a plan is drawn again.")
    ] = None,
    url: Url = None,
) -> None:
    """Draw inspection targets with exact credit-tier inclusion probabilities."""
    if plan is not None:
        _plan_draw(plan, seed, reason, url, out, receipt)
        return
    if data is None or department is None:
        raise InvalidInputError("give --data DIR and --department CODE (or --plan ID).")
    modes = sum(x is not None for x in (seed, commit, commitment))
    if modes != 1:
        raise InvalidInputError(
            "give exactly one of --seed, --commit, --commitment (with --reveal)."
        )
    if (commitment is None) != (reveal is None):
        raise InvalidInputError("`--commitment` and `--reveal` go together.")
    if commit is None and (out is None or receipt is None):
        raise InvalidInputError("give --out DRAW.csv and --receipt R.json.")
    if seed is not None and seed < 0:
        raise InvalidInputError(f"`--seed` must be >= 0; got {seed}.")
    from scheduler.draw import DrawParameters
    from scheduler.frame import FrameRules

    rules = FrameRules(
        department_code=department,
        on=optional_day(on, "--on") or clock.today(),
        regions=codes(regions),
        sectors=codes(sectors),
        entity_types=codes(entity_types),
        repeat_window_months=repeat_window,
        exempt=uscc_list(exempt),
        force_include=uscc_list(force),
        scheme=scheme,
    )
    parameters = DrawParameters(
        rules=rules, policy=tier_policy(scheme, preset, rates, budget, weights)
    )
    _file_draw(
        data,
        parameters,
        seed,
        commit,
        commitment,
        reveal,
        reveal_at,
        value_source,
        out,
        receipt,
        reserves,
    )


def _plan_draw(
    plan: int,
    seed: int | None,
    reason: str | None,
    url: str | None,
    out: Path | None,
    receipt: Path | None,
) -> None:
    from scheduler.db import init_db, make_engine
    from scheduler.draw import write_draw_csv
    from scheduler.plans import run_plan_draw
    from scheduler.receipt import write_json

    if seed is None or seed < 0:
        raise InvalidInputError("`--plan` needs --seed (a whole number >= 0).")
    engine = make_engine(url)
    init_db(engine)
    with progress_bar() as progress:
        task = progress.add_task(f"drawing plan {plan}", total=None)
        result = run_plan_draw(engine, plan, seed, reason=reason)
        progress.update(task, completed=1, total=1)
    if out is not None:
        write_draw_csv(result.rows, out)
    if receipt is not None:
        write_json(result.receipt, receipt)
    _summary(result)
    console.print(f"recorded draw {result.draw_id} of plan {plan}", markup=False)


def verify(
    data: Annotated[Path, typer.Option("--data", help="Data folder the draw was made from.")],
    draw_file: Annotated[Path, typer.Option("--draw", help="Draw CSV.")],
    receipt: Annotated[Path, typer.Option("--receipt", help="Receipt JSON.")],
) -> None:
    """Recompute a draw from its receipt; exit 0 on a match, 1 naming the first difference."""
    from scheduler.frame import FRAME_INPUT
    from scheduler.importer import read_folder
    from scheduler.receipt import verify as verify_draw

    with progress_bar() as progress:
        task = progress.add_task("reading the data folder", total=2)
        directory = read_folder(data, tables=FRAME_INPUT)
        progress.update(task, advance=1, description="recomputing the draw")
        report = verify_draw(directory, draw_file, receipt)
        progress.update(task, advance=1)
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if report.ok:
        console.print(
            f"[green]match[/]: draw {report.draw_id} is reproduced exactly "
            "from the data and the receipt"
        )
        return
    err_console.print(f"[bold red]mismatch:[/] {report.differences[0]}", highlight=False)
    for difference in report.differences[1:]:
        err_console.print(f"  {difference}", markup=False, highlight=False)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("draw")(draw)
    app.command("verify")(verify)
