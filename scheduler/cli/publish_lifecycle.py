"""CLI commands of the credit lifecycle: results import, deadlines, report-ratings,
objection, repair. Registered by ``scheduler.cli.publish``."""

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
    from scheduler.publication.inputs import read_results
    from scheduler.publication.lifecycle import apply_findings
    from scheduler.publication.results import import_results
    from scheduler.store.engine import session_scope

    frame = read_results(file)
    engine, calendar, rule_set, scheme = context(url, rules)
    with session_scope(engine) as session:
        rows = import_results(
            session,
            frame,
            calendar=calendar,
            rules=rule_set,
            source=file.name,
            actor=cli_actor(),
            scheme_name=scheme.name,
        )
        changes = apply_findings(
            session, rows, scheme=scheme, rules=rule_set, calendar=calendar, actor=cli_actor()
        )
        due = min((r.publication_due for r in rows), default=None)
    broken = int((frame["commitment_breach"] != "").sum())
    console.print(
        f"recorded {len(rows)} results ({len(changes)} tier changes); "
        f"first publication deadline {due}"
        + (f"; {broken} commitments marked broken (不实承诺/未履约)" if broken else "")
    )


def deadlines(
    on: OnOpt = None,
    url: UrlOpt = None,
    status: Annotated[
        str | None, typer.Option("--status", help="due | overdue | done | late")
    ] = None,
) -> None:
    """List every deadline (publication, rating report, objection, repair report) and its status."""
    from scheduler.publication.deadlines import KIND_LABELS, all_deadlines
    from scheduler.store.engine import session_scope

    day = parse_day(on)
    engine, calendar, *_ = context(url)
    with session_scope(engine) as session:
        items = [
            d
            for d in all_deadlines(session, on=day, calendar=calendar)
            if status in (None, d.status)
        ]
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
    from scheduler.publication.lifecycle import report_ratings as mark
    from scheduler.store.engine import session_scope

    engine, *_ = context(url)
    with session_scope(engine) as session:
        n = mark(session, on=parse_day(on), actor=cli_actor())
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
    from scheduler.publication.lifecycle import file_objection
    from scheduler.store.engine import session_scope

    engine, calendar, rule_set, _ = context(url, rules)
    with session_scope(engine) as session:
        o = file_objection(
            session,
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
        oid, due = o.id, o.due_on
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
    from sqlmodel import select

    from scheduler.publication.lifecycle import decide_objection
    from scheduler.store.engine import session_scope
    from scheduler.store.models.publication import ObjectionDraw

    engine, calendar, rule_set, scheme = context(url, rules)
    with session_scope(engine) as session:
        o = decide_objection(
            session,
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
        flagged = session.exec(
            select(ObjectionDraw.draw_id).where(ObjectionDraw.objection_id == objection_id)
        ).all()
        late = o.decided_on is not None and o.decided_on > o.due_on
        text = f"objection {objection_id} {'upheld' if upheld else 'rejected'}" + (
            " (late)" if late else ""
        )
        if upheld:
            draws = ", ".join(flagged) or "none"
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
    from scheduler.publication.lifecycle import apply_repair
    from scheduler.store.engine import session_scope

    engine, _, rule_set, scheme = context(url, rules)
    with session_scope(engine) as session:
        r = apply_repair(
            session,
            uscc=uscc.upper(),
            department_code=department,
            applied_on=parse_day(on),
            scheme=scheme,
            rules=rule_set,
            actor=cli_actor(),
        )
        rid = r.id
    console.print(f"credit repair {rid} recorded")


@repair_app.command("complete")
def repair_complete(
    repair_id: Annotated[int, typer.Argument()],
    on: OnOpt = None,
    url: UrlOpt = None,
    rules: RulesOpt = None,
) -> None:
    """Complete a repair: the tier is restored; report due in 2 working days."""
    from scheduler.publication.lifecycle import complete_repair
    from scheduler.store.engine import session_scope

    engine, calendar, rule_set, scheme = context(url, rules)
    with session_scope(engine) as session:
        r = complete_repair(
            session,
            repair_id,
            completed_on=parse_day(on),
            scheme=scheme,
            calendar=calendar,
            rules=rule_set,
            actor=cli_actor(),
        )
        tier, due = r.restored_tier, r.report_due
    console.print(f"credit repair {repair_id} completed; tier restored to {tier}; report by {due}")


@repair_app.command("report")
def repair_report(
    repair_id: Annotated[int, typer.Argument()], on: OnOpt = None, url: UrlOpt = None
) -> None:
    """Mark a completed repair as reported to the city credit platform."""
    from scheduler.publication.lifecycle import report_repair
    from scheduler.store.engine import session_scope

    engine, *_ = context(url)
    with session_scope(engine) as session:
        r = report_repair(session, repair_id, on=parse_day(on), actor=cli_actor())
        late = (
            r.report_due is not None and r.reported_on is not None and r.reported_on > r.report_due
        )
    console.print(f"credit repair {repair_id} reported" + (" (late)" if late else ""))


def register(app: typer.Typer) -> None:
    """Add the lifecycle commands to the main app."""
    app.add_typer(results_app, name="results")
    app.command("deadlines")(deadlines)
    app.command("report-ratings")(report_ratings)
    app.add_typer(objection_app, name="objection")
    app.add_typer(repair_app, name="repair")
