"""CLI commands of the draw area: draw, verify, substitute, plan create, plan list.

The commands parse options, call one library function each (``scheduler.draw``,
``scheduler.receipt``, ``scheduler.plans``) and print; errors are raised as
library errors and mapped to exit codes by ``scheduler.cli.main``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scheduler.cli.console import console, err_console, progress_bar
from scheduler.errors import InvalidInputError, Problem, VerificationError

__all__ = ["register"]

plan_app = typer.Typer(help="Inspection plans stored in the database.", no_args_is_help=True)

Url = Annotated[
    str | None, typer.Option("--url", help="Database URL (default: SCHEDULER_DATABASE_URL).")
]


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(sorted({c.strip() for c in (text or "").split(",") if c.strip()}))


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"`{option}` must be a date YYYY-MM-DD; got {text!r}.") from None


def _uscc_list(path: Path | None) -> tuple[str, ...]:
    """USCCs from a file: one per line, or a CSV whose first column (or ``uscc``) holds them."""
    if path is None:
        return ()
    import pandas as pd

    try:
        table = pd.read_csv(
            path, dtype=str, keep_default_na=False, header=None, encoding="utf-8-sig"
        )
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InvalidInputError(
            problems=[Problem(path.name, None, None, f"cannot read: {error}")]
        ) from error
    values = [str(v).strip() for v in table.iloc[:, 0]]
    if values and values[0].lower() in ("uscc", "统一社会信用代码"):
        values = values[1:]
    from scheduler.uscc import invalid_reason

    problems = [
        Problem(path.name, i + 1, None, r)
        for i, v in enumerate(values)
        if v and (r := invalid_reason(v))
    ]
    if problems:
        raise InvalidInputError(problems=problems)
    return tuple(sorted({v for v in values if v}))


def _policy(
    scheme_name: str | None,
    preset: str | None,
    rates: str | None,
    budget: int | None,
    weights: str | None,
):
    from scheduler.policy import make_policy, parse_tier_values
    from scheduler.reference import tier_scheme

    return make_policy(
        tier_scheme(scheme_name),
        preset_name=preset,
        rates=parse_tier_values(rates, "--rates") if rates is not None else None,
        budget=budget,
        weights=parse_tier_values(weights, "--weights") if weights is not None else None,
    )


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
        on=_day(on, "--on") or datetime.now(UTC).date(),
        regions=_codes(regions),
        sectors=_codes(sectors),
        entity_types=_codes(entity_types),
        repeat_window_months=repeat_window,
        exempt=_uscc_list(exempt),
        force_include=_uscc_list(force),
        scheme=scheme,
    )
    parameters = DrawParameters(rules=rules, policy=_policy(scheme, preset, rates, budget, weights))
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


def substitute(
    data: Annotated[Path | None, typer.Option("--data", help="Data folder (file draws).")] = None,
    draw_file: Annotated[Path | None, typer.Option("--draw", help="Draw CSV to update.")] = None,
    receipt: Annotated[
        Path | None, typer.Option("--receipt", help="Receipt JSON to update.")
    ] = None,
    draw_id: Annotated[
        str | None, typer.Option("--draw-id", help="A recorded draw (database).")
    ] = None,
    uscc: Annotated[str, typer.Option("--uscc", help="The drawn entity to replace.")] = "",
    reason: Annotated[str, typer.Option("--reason", help="Why (e.g. 已注销, 迁出).")] = "",
    url: Url = None,
) -> None:
    """Replace a drawn entity by the next reserve of its stratum, recording why."""
    if not uscc or not reason.strip():
        raise InvalidInputError("give --uscc and --reason.")
    if draw_id is not None:
        from scheduler.db import init_db, make_engine
        from scheduler.plans import record_substitution

        engine = make_engine(url)
        init_db(engine)
        sub = record_substitution(engine, draw_id, uscc, reason)
    else:
        if data is None or draw_file is None or receipt is None:
            raise InvalidInputError(
                "give --data, --draw and --receipt (or --draw-id for a recorded draw)."
            )
        sub = _file_substitute(data, draw_file, receipt, uscc, reason)
    console.print(
        f"{sub.uscc_out} -> {sub.uscc_in} (stratum {sub.stratum}): {sub.reason}", markup=False
    )


def _file_substitute(data: Path, draw_file: Path, receipt_path: Path, uscc: str, reason: str):  # noqa: ANN202
    from scheduler.draw import DrawParameters, draw_from_frame, read_draw_csv, write_draw_csv
    from scheduler.frame import FRAME_INPUT, build_frame
    from scheduler.importer import read_folder
    from scheduler.receipt import read_json, write_json
    from scheduler.reserve import Substitution, next_reserve
    from scheduler.verification import verify as verify_draw

    directory = read_folder(data, tables=FRAME_INPUT)
    report = verify_draw(directory, draw_file, receipt_path)
    if not report.ok:
        raise VerificationError(
            f"refusing to substitute in a draw that does not verify: {report.differences[0]}"
        )
    receipt = read_json(receipt_path)
    rows = read_draw_csv(draw_file)
    hit = rows.loc[rows["uscc"] == uscc]
    if hit.empty:
        raise InvalidInputError(f"{uscc} is not in {draw_file.name}.")
    done = tuple(Substitution(**s) for s in receipt.get("substitutions", []))
    parameters = DrawParameters.from_dict(receipt["parameters"])
    frame = build_frame(directory, parameters.rules)
    base = draw_from_frame(frame, parameters, int(receipt["seed"]), substitutions=done)
    stratum = str(hit["stratum"].iloc[0])
    reserve = next_reserve(base.reserves, stratum, {s.uscc_in for s in done})
    sub = Substitution(
        uscc,
        str(reserve["uscc"]),
        stratum,
        reason,
        datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    result = draw_from_frame(
        frame,
        parameters,
        int(receipt["seed"]),
        substitutions=(*done, sub),
        seed_source=receipt.get("seed_source"),
        created_at=receipt.get("created_at"),
    )
    new_receipt = dict(receipt, substitutions=result.receipt["substitutions"])
    write_draw_csv(result.rows, draw_file)
    write_json(new_receipt, receipt_path)
    return sub


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
    name: Annotated[str, typer.Option("--name")] = "",
    repeat_window: Annotated[int, typer.Option("--repeat-window-months")] = 12,
    scheme: Annotated[str | None, typer.Option("--scheme")] = None,
    url: Url = None,
) -> None:
    """Store an inspection plan; prints its id."""
    from scheduler.db import init_db, make_engine, session_scope
    from scheduler.plans import create_plan

    policy = _policy(scheme, preset, rates, budget, weights)
    engine = make_engine(url)
    init_db(engine)
    with session_scope(engine) as session:
        plan = create_plan(
            session,
            department_code=department,
            policy=policy,
            name=name,
            sectors=_codes(sectors),
            regions=_codes(regions),
            entity_types=_codes(entity_types),
            joint_departments=_codes(joint),
            start=_day(start, "--start"),
            end=_day(end, "--end"),
            repeat_window_months=repeat_window,
        )
        plan_id = plan.id
    console.print(f"plan {plan_id} created")


def plan_list(url: Url = None) -> None:
    """List stored plans and their draws."""
    from sqlmodel import Session

    from scheduler.db import init_db, make_engine
    from scheduler.plans import list_draws, list_plans

    engine = make_engine(url)
    init_db(engine)
    with Session(engine) as session:
        plans = list_plans(session)
        rows = [
            (p.id, p.department_code, p.name, p.policy, p.start, p.end, p.joint_departments)
            for p in plans
        ]
    draws = list_draws(engine)
    table = Table(title="plans")
    for column in ("id", "department", "name", "policy", "window", "joint", "draws"):
        table.add_column(column)
    for pid, dept, name, policy, start, end, joint in rows:
        mine = draws[draws["plan_id"] == pid]
        label = ", ".join(
            f"{d}{' (superseded)' if s else ''}"
            for d, s in zip(mine["draw_id"], mine["superseded_by"], strict=True)
        )
        window = f"{start or ''}..{end or ''}"
        table.add_row(str(pid), dept, name, str(policy), window, joint, label or "-")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("draw")(draw)
    app.command("verify")(verify)
    app.command("substitute")(substitute)
    plan_app.command("create")(plan_create)
    plan_app.command("list")(plan_list)
    app.add_typer(plan_app, name="plan")
