"""CLI commands of the draw area: draw, verify.

The commands parse options, call one library function each (``scheduler.draw.run``,
``scheduler.draw.receipt``, ``scheduler.draw.plans``) and print; errors are raised as
library errors and mapped to exit codes by ``scheduler.cli.main``. ``plan``
and ``substitute`` have their own modules; shared options are in
``scheduler.cli.draw_options``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from scheduler import clock
from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console, err_console, progress_bar
from scheduler.cli.draw_options import (
    JointTierRule,
    Url,
    codes,
    optional_day,
    tier_months,
    tier_policy,
    uscc_list,
)
from scheduler.errors import InvalidInputError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from scheduler.draw.file_draw import DrawFiles
    from scheduler.draw.frame import SamplingFrame
    from scheduler.draw.run import DrawParameters, DrawResult
    from scheduler.draw.verify import VerifyReport

__all__ = ["register"]


def _summary(result: DrawResult) -> None:
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
    if "commitment_checks" in receipt:
        checks = receipt["commitment_checks"]
        console.print(
            f"commitment checks (承诺核查) due by {checks['until']}: {checks['drawn']} entities "
            f"drawn with probability 1, besides {checks['others_drawn']} sampled",
            markup=False,
        )


def _print_forced_reasons(frame: SamplingFrame) -> None:
    """Each unit drawn with probability 1 and why (承诺核查, the force-include list)."""
    if frame.forced_reasons.empty:
        return
    table = Table(title="drawn with probability 1")
    table.add_column("uscc")
    table.add_column("reason")
    for uscc, why in frame.forced_reasons.itertuples(index=False):
        table.add_row(uscc, why)
    console.print(table)


def _stepper(progress: Progress, total: int) -> tuple[TaskID, Callable[[str], None]]:
    """A ``Step`` that shows each library step on a progress bar of ``total`` steps."""
    task = progress.add_task("starting", total=total)
    started = False

    def step(description: str) -> None:
        nonlocal started
        progress.update(task, advance=1 if started else 0, description=description)
        started = True

    return task, step


def _file_draw(
    data: Path,
    parameters: DrawParameters,
    seed: int | None,
    ceremony: dict[str, Any],
    files: DrawFiles,
) -> None:
    from scheduler.draw import ceremony as ceremonies
    from scheduler.draw.file_draw import commit_file_draw, draw_to_files

    commit = ceremony["commit"]
    with progress_bar() as progress:
        task, step = _stepper(progress, 4)
        if commit is not None:
            document = commit_file_draw(
                data,
                parameters,
                commit,
                reveal_at=ceremony["reveal_at"] or "",
                value_source=ceremony["value_source"] or "",
                digits=ceremony["digits"],
                step=step,
            )
            progress.update(task, completed=4)
            console.print(
                f"commitment written to {commit}; SHA-256 {ceremonies.commitment_digest(document)}",
                markup=False,
            )
            console.print(
                f"publish it; reveal at {document['reveal_at']} from {document['value_source']}",
                markup=False,
            )
            return
        done = draw_to_files(
            data,
            parameters,
            files,
            seed=seed,
            commitment=ceremony["commitment"],
            reveal=ceremony["reveal"],
            step=step,
        )
        progress.update(task, completed=4)
    _summary(done.result)
    _print_forced_reasons(done.frame)
    console.print(f"draw written to {files.out}, receipt to {files.receipt}", markup=False)
    if files.snapshot is not None:
        console.print(f"frame snapshot written to {files.snapshot}", markup=False)


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
    joint: Annotated[
        str | None,
        typer.Option("--joint", help="Departments joining the visits: the frame is their union."),
    ] = None,
    joint_tier_rule: JointTierRule = "least_favourable",
    months_by_tier: Annotated[
        str | None,
        typer.Option(
            "--tier-months",
            help="Repeat control by tier in place of the window: 'preset' (the preset's "
            "min_months, default A=24,B=12,C=6,D=3) or A=24,B=12,C=6,D=3.",
        ),
    ] = None,
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
    digits: Annotated[
        int | None,
        typer.Option("--digits", help="With --commit: the public value has exactly N digits."),
    ] = None,
    snapshot: Annotated[
        Path | None,
        typer.Option("--snapshot", help="Also write the canonical frame snapshot (gzip)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why a plan is drawn again.")
    ] = None,
    draw_id: Annotated[
        str | None,
        typer.Option(
            "--draw-id", help="Write the files of a recorded draw again (identical bytes)."
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--force", help="Overwrite existing --out/--receipt/--reserves files.")
    ] = False,
    verify_commitments: Annotated[
        bool,
        typer.Option(
            "--verify-commitments",
            help="承诺核查: also draw, with probability 1, every operating entity of the regions "
            "with a pending commitment to the department due by --until.",
        ),
    ] = False,
    until: Annotated[
        str | None,
        typer.Option("--until", help="With --verify-commitments: due day (default --on)."),
    ] = None,
    url: Url = None,
) -> None:
    """Draw inspection targets with exact credit-tier inclusion probabilities.

    Output files are written atomically and never overwritten without
    --force. With --plan the files are written before the draw is recorded;
    `--draw-id ID` writes a recorded draw's files again.
    """
    from scheduler.data.atomic_files import check_targets
    from scheduler.draw.file_draw import DrawFiles

    check_targets([out, receipt, reserves, commit, snapshot], overwrite=overwrite)
    files = DrawFiles(out=out, receipt=receipt, reserves=reserves, snapshot=snapshot)
    if draw_id is not None:
        _rewrite(draw_id, url, files)
        return
    if plan is not None:
        _plan_draw(plan, seed, reason, url, files)
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
    from scheduler.draw.frame import FrameRules
    from scheduler.draw.run import DrawParameters

    if until is not None and not verify_commitments:
        raise InvalidInputError("`--until` goes with --verify-commitments.")
    day = optional_day(on, "--on") or clock.today()
    rules = FrameRules(
        department_code=department,
        on=day,
        verify_commitments=(optional_day(until, "--until") or day) if verify_commitments else None,
        regions=codes(regions),
        sectors=codes(sectors),
        entity_types=codes(entity_types),
        repeat_window_months=repeat_window,
        tier_months=tier_months(months_by_tier, preset),
        joint_departments=codes(joint),
        joint_tier_rule=joint_tier_rule,
        exempt=uscc_list(exempt),
        force_include=uscc_list(force),
        scheme=scheme,
    )
    parameters = DrawParameters(
        rules=rules, policy=tier_policy(scheme, preset, rates, budget, weights)
    )
    if commit is not None and (not reveal_at or not value_source):
        raise InvalidInputError(
            "`--commit` needs --reveal-at (when) and --value-source (which public value)."
        )
    ceremony = {
        "commit": commit,
        "commitment": commitment,
        "reveal": reveal,
        "reveal_at": reveal_at,
        "value_source": value_source,
        "digits": digits,
    }
    _file_draw(data, parameters, seed, ceremony, files)


def _plan_draw(
    plan: int, seed: int | None, reason: str | None, url: str | None, files: DrawFiles
) -> None:
    from scheduler.draw.file_draw import DrawFiles, draw_plan_to_files
    from scheduler.store.engine import init_db, make_engine

    if seed is None or seed < 0:
        raise InvalidInputError("`--plan` needs --seed (a whole number >= 0).")
    engine = make_engine(url)
    init_db(engine)
    with progress_bar() as progress:
        task = progress.add_task(f"drawing plan {plan}", total=None)
        result = draw_plan_to_files(
            engine,
            plan,
            seed,
            DrawFiles(files.out, files.receipt, files.reserves),
            actor=cli_actor(),
            reason=reason,
        )
        progress.update(task, completed=1, total=1)
    _summary(result)
    console.print(f"recorded draw {result.draw_id} of plan {plan}", markup=False)


def _rewrite(draw_id: str, url: str | None, files: DrawFiles) -> None:
    """Write a recorded draw's files again, byte for byte as when it was drawn."""
    from scheduler.draw.file_draw import DrawFiles, rewrite_draw_files
    from scheduler.store.engine import make_engine

    if files.out is None and files.receipt is None and files.reserves is None:
        raise InvalidInputError("`--draw-id` needs --out, --receipt or --reserves.")
    written = rewrite_draw_files(
        make_engine(url), draw_id, DrawFiles(files.out, files.receipt, files.reserves)
    )
    console.print(
        f"wrote recorded draw {draw_id} to {', '.join(str(p) for p in written)}", markup=False
    )


def verify(
    data: Annotated[
        Path | None, typer.Option("--data", help="Data folder the draw was made from.")
    ] = None,
    draw_file: Annotated[Path | None, typer.Option("--draw", help="Draw CSV.")] = None,
    receipt: Annotated[Path | None, typer.Option("--receipt", help="Receipt JSON.")] = None,
    snapshot: Annotated[
        Path | None,
        typer.Option("--snapshot", help="The draw's frame snapshot (from draw --snapshot)."),
    ] = None,
    draw_id: Annotated[
        str | None, typer.Option("--draw-id", help="A draw recorded in the database.")
    ] = None,
    commitment_sha256: Annotated[
        str | None,
        typer.Option("--commitment-sha256", help="SHA-256 of the commitment as published."),
    ] = None,
    url: Url = None,
) -> None:
    """Recompute a draw from its receipt; exit 0 on a match, 1 naming the first difference."""
    from scheduler.draw.verify import verify as verify_draw

    if draw_id is not None:
        from scheduler.draw.verify import verify_recorded_draw
        from scheduler.store.engine import init_db, make_engine

        engine = make_engine(url)
        init_db(engine)
        with progress_bar() as progress:
            task = progress.add_task(f"recomputing draw {draw_id}", total=None)
            report = verify_recorded_draw(engine, draw_id, commitment_sha256=commitment_sha256)
            progress.update(task, completed=1, total=1)
        _print_report(report, "its frame snapshot and its receipt")
        return
    if draw_file is None or receipt is None or (data is None and snapshot is None):
        raise InvalidInputError(
            "give --draw D.csv --receipt R.json with --data DIR and/or --snapshot S.gz "
            "(or --draw-id ID for a recorded draw)."
        )
    with progress_bar() as progress:
        task = progress.add_task("reading the data folder", total=2)
        directory = None
        if data is not None:
            from scheduler.data.importing.reader import read_folder
            from scheduler.draw.frame import FRAME_INPUT

            directory = read_folder(data, tables=FRAME_INPUT)
        progress.update(task, advance=1, description="recomputing the draw")
        report = verify_draw(
            directory,
            draw_file,
            receipt,
            commitment_sha256=commitment_sha256,
            snapshot=snapshot,
        )
        progress.update(task, advance=1)
    source = "the snapshot and the receipt" if snapshot else "the data and the receipt"
    _print_report(report, source)


def _print_report(report: VerifyReport, source: str) -> None:
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if report.ok:
        console.print(f"[green]match[/]: draw {report.draw_id} is reproduced exactly from {source}")
        return
    err_console.print(f"[bold red]mismatch:[/] {report.differences[0]}", highlight=False)
    for difference in report.differences[1:]:
        err_console.print(f"  {difference}", markup=False, highlight=False)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("draw")(draw)
    app.command("verify")(verify)
