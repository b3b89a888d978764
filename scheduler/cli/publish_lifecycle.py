"""CLI commands of the credit lifecycle: results import, deadlines, report-ratings,
objection, repair. Registered by ``scheduler.cli.publish``; each calls one action
of ``scheduler.publication.actions`` (the dashboard calls the same)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console
from scheduler.cli.publish_options import OnOpt, RulesOpt, UrlOpt, context
from scheduler.cli.publish_options import day as parse_day

__all__ = ["register"]

results_app = typer.Typer(help="Record inspection results.", no_args_is_help=True)
objection_app = typer.Typer(help="Objections (异议) to ratings and results.", no_args_is_help=True)
repair_app = typer.Typer(help="Credit repair (信用修复).", no_args_is_help=True)


@results_app.command("import")
def results_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="Results CSV/XLSX: uscc, department_code, inspected_on, result_code "
            "(+ draw_id, notes; commitment_breach 不实承诺/未履约 and commitment_item on a "
            "承诺核查 visit)."
        ),
    ],
    url: UrlOpt = None,
    rules: RulesOpt = None,
) -> None:
    """Record results with their publication deadline; findings move tiers; a
    commitment_breach on a 承诺核查 visit marks the commitment broken (same transaction)."""
    from scheduler.publication.actions import record_results
    from scheduler.publication.inputs import read_results

    frame = read_results(file)
    engine, calendar, rule_set, scheme = context(url, rules)
    done = record_results(
        engine,
        frame,
        calendar=calendar,
        rules=rule_set,
        scheme=scheme,
        source=file.name,
        actor=cli_actor(),
    )
    console.print(
        f"recorded {done.results} results ({done.tier_changes} tier changes); "
        f"first publication deadline {done.first_publication_due}"
        + (
            f"; {done.commitments_broken} commitments marked broken (不实承诺/未履约)"
            if done.commitments_broken
            else ""
        )
    )


def deadlines(
    on: OnOpt = None,
    url: UrlOpt = None,
    status: Annotated[
        str | None, typer.Option("--status", help="due | overdue | done | late")
    ] = None,
) -> None:
    """List every deadline (publication, rating report, objection, repair report) and its status."""
    from scheduler.publication.actions import deadlines_on
    from scheduler.publication.deadlines import KIND_LABELS

    day = parse_day(on)
    engine, calendar, *_ = context(url)
    items = [d for d in deadlines_on(engine, day, calendar) if status in (None, d.status)]
    table = Table(title=f"deadlines on {day}")
    for header in (
        "kind",
        "id",
        "uscc",
        "department",
        "since",
        "due",
        "done",
        "status",
        "working days left",
    ):
        table.add_column(header)
    for d in items:
        colour = {"overdue": "red", "late": "yellow", "due": "", "done": "green"}[d.status]
        table.add_row(
            KIND_LABELS[d.kind],
            str(d.ref),
            d.uscc,
            d.department_code,
            str(d.since),
            str(d.due_on),
            str(d.done_on or ""),
            f"[{colour}]{d.status}[/]" if colour else d.status,
            str(d.working_days_left),
        )
    console.print(table)
    counts = {s: sum(d.status == s for d in items) for s in ("due", "overdue", "done", "late")}
    console.print(", ".join(f"{k} {v}" for k, v in counts.items()))


def report_ratings(on: OnOpt = None, url: UrlOpt = None) -> None:
    """Mark every pending tier change as reported to the city credit platform on --on."""
    from scheduler.publication.actions import report_ratings as mark

    engine, *_ = context(url)
    n = mark(engine, on=parse_day(on), actor=cli_actor())
    console.print(f"reported {n} rating changes")


@objection_app.command("file")
def objection_file(
    uscc: Annotated[str, typer.Option("--uscc")],
    department: Annotated[str, typer.Option("--department")],
    on: OnOpt = None,
    reason: Annotated[str, typer.Option("--reason")] = "",
    tier_change: Annotated[
        int | None, typer.Option("--tier-change", help="Contested tier change id.")
    ] = None,
    result: Annotated[int | None, typer.Option("--result", help="Contested result id.")] = None,
    url: UrlOpt = None,
    rules: RulesOpt = None,
) -> None:
    """File an objection; it is due for decision in 5 working days."""
    from scheduler.publication.actions import file_objection

    engine, calendar, rule_set, _ = context(url, rules)
    oid, due = file_objection(
        engine,
        uscc=uscc.upper(),
        department_code=department,
        filed_on=parse_day(on),
        reason=reason,
        tier_change_id=tier_change,
        result_id=result,
        calendar=calendar,
        rules=rule_set,
        actor=cli_actor(),
    )
    console.print(f"objection {oid} filed; decide by {due}")


@objection_app.command("decide")
def objection_decide(
    objection_id: Annotated[int, typer.Argument()],
    upheld: Annotated[bool, typer.Option("--upheld/--rejected")],
    on: OnOpt = None,
    tier: Annotated[
        str | None, typer.Option("--tier", help="Corrected tier (default: the tier before).")
    ] = None,
    result_code: Annotated[
        str | None, typer.Option("--result-code", help="Corrected result code.")
    ] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    url: UrlOpt = None,
    rules: RulesOpt = None,
) -> None:
    """Decide an objection; upheld corrects the rating and flags the affected draws."""
    from scheduler.publication.actions import decide_objection

    engine, calendar, rule_set, scheme = context(url, rules)
    o = decide_objection(
        engine,
        objection_id,
        decided_on=parse_day(on),
        upheld=upheld,
        corrected_tier=tier,
        corrected_result_code=result_code,
        note=note,
        scheme=scheme,
        calendar=calendar,
        rules=rule_set,
        actor=cli_actor(),
    )
    text = f"objection {objection_id} {'upheld' if upheld else 'rejected'}" + (
        " (late)" if o.late else ""
    )
    if upheld:
        draws = ", ".join(o.flagged_draws) or "none"
        text += f"; tier {o.corrected_tier or 'unchanged'}; flagged draws: {draws}"
    console.print(text)


@repair_app.command("apply")
def repair_apply(
    uscc: Annotated[str, typer.Option("--uscc")],
    department: Annotated[str, typer.Option("--department")],
    on: OnOpt = None,
    url: UrlOpt = None,
    rules: RulesOpt = None,
) -> None:
    """Apply for credit repair of the latest downgrade (after the minimum publicity period)."""
    from scheduler.publication.actions import apply_repair

    engine, _, rule_set, scheme = context(url, rules)
    rid = apply_repair(
        engine,
        uscc=uscc.upper(),
        department_code=department,
        applied_on=parse_day(on),
        scheme=scheme,
        rules=rule_set,
        actor=cli_actor(),
    )
    console.print(f"credit repair {rid} recorded")


@repair_app.command("complete")
def repair_complete(
    repair_id: Annotated[int, typer.Argument()],
    on: OnOpt = None,
    url: UrlOpt = None,
    rules: RulesOpt = None,
) -> None:
    """Complete a repair: the tier is restored; report due in 2 working days."""
    from scheduler.publication.actions import complete_repair

    engine, calendar, rule_set, scheme = context(url, rules)
    tier, due = complete_repair(
        engine,
        repair_id,
        completed_on=parse_day(on),
        scheme=scheme,
        calendar=calendar,
        rules=rule_set,
        actor=cli_actor(),
    )
    console.print(f"credit repair {repair_id} completed; tier restored to {tier}; report by {due}")


@repair_app.command("report")
def repair_report(
    repair_id: Annotated[int, typer.Argument()], on: OnOpt = None, url: UrlOpt = None
) -> None:
    """Mark a completed repair as reported to the city credit platform."""
    from scheduler.publication.actions import report_repair

    engine, *_ = context(url)
    late = report_repair(engine, repair_id, on=parse_day(on), actor=cli_actor())
    console.print(f"credit repair {repair_id} reported" + (" (late)" if late else ""))


def register(app: typer.Typer) -> None:
    """Add the lifecycle commands to the main app."""
    app.add_typer(results_app, name="results")
    app.command("deadlines")(deadlines)
    app.command("report-ratings")(report_ratings)
    app.add_typer(objection_app, name="objection")
    app.add_typer(repair_app, name="repair")
