"""CLI commands of 一公开: export, results, publish, deadlines, objection, repair,
report-ratings, estimate. Each parses, calls one library function, prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from scheduler.cli.console import console

__all__ = ["register"]

DataOpt = Annotated[Path | None, typer.Option("--data", help="Data folder (SPEC section 5).")]
UrlOpt = Annotated[
    str | None, typer.Option("--url", help="Database URL (default: SCHEDULER_DATABASE_URL).")
]
RulesOpt = Annotated[
    Path | None, typer.Option("--rules", help="Lifecycle rules JSON (tier moves, deadlines).")
]
OnOpt = Annotated[str | None, typer.Option("--on", help="Day (YYYY-MM-DD); default today.")]

results_app = typer.Typer(help="Record inspection results.", no_args_is_help=True)
objection_app = typer.Typer(help="Objections (异议) to ratings and results.", no_args_is_help=True)
repair_app = typer.Typer(help="Credit repair (信用修复).", no_args_is_help=True)


def _day(text: str | None, option: str = "--on") -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} must be a date YYYY-MM-DD; got {text!r}") from None


def _context(url: str | None, rules: Path | None = None):  # noqa: ANN202
    """(engine, calendar, rules, scheme) for the database commands."""
    from scheduler.calendar import default_calendar
    from scheduler.db import init_db, make_engine
    from scheduler.publication.rules import load_rules
    from scheduler.reference import tier_scheme

    engine = make_engine(url)
    init_db(engine)
    return engine, default_calendar(), load_rules(rules), tier_scheme()


def export(
    kind: Annotated[
        Literal["list", "tasks", "public"], typer.Option("--kind", help="list | tasks | public")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output file (several files when a CSV is split).")
    ],
    fmt: Annotated[
        Literal["xlsx", "csv", "json"], typer.Option("--format", help="xlsx | csv | json")
    ] = "xlsx",
    data: DataOpt = None,
    draw: Annotated[Path | None, typer.Option("--draw", help="Draw CSV.")] = None,
    assignment: Annotated[Path | None, typer.Option("--assignment", help="Assignment CSV.")] = None,
    results: Annotated[Path | None, typer.Option("--results", help="Results CSV/XLSX.")] = None,
    receipt: Annotated[
        Path | None, typer.Option("--receipt", help="Draw receipt (for the department).")
    ] = None,
    department: Annotated[
        str | None, typer.Option("--department", help="Department code of the draw.")
    ] = None,
    split: Annotated[Literal["none", "department", "division"], typer.Option("--split")] = "none",
    draw_id: Annotated[
        str | None, typer.Option("--draw-id", help="Export a draw recorded in the database.")
    ] = None,
    url: UrlOpt = None,
) -> None:
    """Export the inspection list, the task sheets or the public list of a draw."""
    from scheduler.publication import inputs, jobs

    if draw_id is not None:
        from scheduler.db import make_engine
        from scheduler.loader import directory_from_db
        from scheduler.publication.draw_links import db_inputs

        engine = make_engine(url)
        directory = directory_from_db(engine)
        draw_frame, assign_frame, result_frame = db_inputs(engine, draw_id)
    else:
        if data is None or draw is None:
            raise typer.BadParameter("give --data and --draw (or --draw-id with --url)")
        from scheduler.importer import read_folder

        directory = read_folder(data)
        draw_frame = inputs.read_draw(draw)
        assign_frame = inputs.read_assignment(assignment) if assignment else None
        result_frame = inputs.read_results(results) if results else None
    dept = jobs.department_of(
        draw_frame,
        assignment=assign_frame,
        receipt=inputs.read_receipt(receipt) if receipt else None,
        explicit=department,
    )
    files, count = jobs.run_export(
        directory,
        draw_frame,
        kind=kind,
        fmt=fmt,
        out=out,
        assignment=assign_frame,
        results=result_frame,
        department_code=dept,
        split=split,
    )
    unit = "teams" if kind == "tasks" else "rows"
    console.print(f"exported {count} {unit} to {', '.join(str(f) for f in files)}")


@results_app.command("import")
def results_import(
    file: Annotated[
        Path,
        typer.Argument(help="Results CSV/XLSX: uscc, department_code, inspected_on, result_code."),
    ],
    url: UrlOpt = None,
    rules: RulesOpt = None,
) -> None:
    """Record results with their publication deadline; findings move tiers."""
    from scheduler.db import session_scope
    from scheduler.publication.inputs import read_results
    from scheduler.publication.lifecycle import apply_findings
    from scheduler.publication.results import import_results

    frame = read_results(file)
    engine, calendar, rule_set, scheme = _context(url, rules)
    with session_scope(engine) as session:
        rows = import_results(session, frame, calendar=calendar, rules=rule_set, source=file.name)
        changes = apply_findings(session, rows, scheme=scheme, rules=rule_set, calendar=calendar)
        due = min((r.publication_due for r in rows), default=None)
    console.print(
        f"recorded {len(rows)} results ({len(changes)} tier changes); "
        f"first publication deadline {due}"
    )


def publish(
    out: Annotated[Path, typer.Option("--out", help="Public list file.")],
    fmt: Annotated[Literal["xlsx", "csv", "json"], typer.Option("--format")] = "xlsx",
    on: OnOpt = None,
    draw_id: Annotated[
        str | None, typer.Option("--draw-id", help="Only this draw's results.")
    ] = None,
    url: UrlOpt = None,
) -> None:
    """Write the public list of every unpublished result and mark them published on --on."""
    from scheduler.db import session_scope
    from scheduler.loader import directory_from_db
    from scheduler.publication.publishing import publish_pending

    day = _day(on)
    engine, *_ = _context(url)
    directory = directory_from_db(engine)
    with session_scope(engine) as session:
        files, count = publish_pending(
            session, directory, out=out, fmt=fmt, on=day, draw_id=draw_id
        )
    console.print(f"published {count} results to {', '.join(str(f) for f in files)}")


def deadlines(
    on: OnOpt = None,
    url: UrlOpt = None,
    status: Annotated[
        str | None, typer.Option("--status", help="due | overdue | done | late")
    ] = None,
) -> None:
    """List every deadline (publication, rating report, objection, repair report) and its status."""
    from scheduler.db import session_scope
    from scheduler.publication.deadlines import KIND_LABELS, all_deadlines

    day = _day(on)
    engine, calendar, *_ = _context(url)
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
    from scheduler.db import session_scope
    from scheduler.publication.lifecycle import report_ratings as mark

    engine, *_ = _context(url)
    with session_scope(engine) as session:
        n = mark(session, on=_day(on))
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
    from scheduler.db import session_scope
    from scheduler.publication.lifecycle import file_objection

    engine, calendar, rule_set, _ = _context(url, rules)
    with session_scope(engine) as session:
        o = file_objection(
            session,
            uscc=uscc.upper(),
            department_code=department,
            filed_on=_day(on),
            reason=reason,
            tier_change_id=tier_change,
            result_id=result,
            calendar=calendar,
            rules=rule_set,
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

    from scheduler.db import session_scope
    from scheduler.models.publication import ObjectionDraw
    from scheduler.publication.lifecycle import decide_objection

    engine, calendar, rule_set, scheme = _context(url, rules)
    with session_scope(engine) as session:
        o = decide_objection(
            session,
            objection_id,
            decided_on=_day(on),
            upheld=upheld,
            corrected_tier=tier,
            corrected_result_code=result_code,
            note=note,
            scheme=scheme,
            calendar=calendar,
            rules=rule_set,
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
    from scheduler.db import session_scope
    from scheduler.publication.lifecycle import apply_repair

    engine, _, rule_set, scheme = _context(url, rules)
    with session_scope(engine) as session:
        r = apply_repair(
            session,
            uscc=uscc.upper(),
            department_code=department,
            applied_on=_day(on),
            scheme=scheme,
            rules=rule_set,
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
    from scheduler.db import session_scope
    from scheduler.publication.lifecycle import complete_repair

    engine, calendar, rule_set, scheme = _context(url, rules)
    with session_scope(engine) as session:
        r = complete_repair(
            session,
            repair_id,
            completed_on=_day(on),
            scheme=scheme,
            calendar=calendar,
            rules=rule_set,
        )
        tier, due = r.restored_tier, r.report_due
    console.print(f"credit repair {repair_id} completed; tier restored to {tier}; report by {due}")


@repair_app.command("report")
def repair_report(
    repair_id: Annotated[int, typer.Argument()], on: OnOpt = None, url: UrlOpt = None
) -> None:
    """Mark a completed repair as reported to the city credit platform."""
    from scheduler.db import session_scope
    from scheduler.publication.lifecycle import report_repair

    engine, *_ = _context(url)
    with session_scope(engine) as session:
        r = report_repair(session, repair_id, on=_day(on))
        late = (
            r.report_due is not None and r.reported_on is not None and r.reported_on > r.report_due
        )
    console.print(f"credit repair {repair_id} reported" + (" (late)" if late else ""))


def estimate(
    draw: Annotated[Path, typer.Option("--draw", help="Draw CSV.")],
    results: Annotated[Path, typer.Option("--results", help="Results CSV/XLSX.")],
    receipt: Annotated[Path | None, typer.Option("--receipt", help="Draw receipt JSON.")] = None,
    data: DataOpt = None,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="department | tier | region (repeatable).")
    ] = None,
    department: Annotated[str | None, typer.Option("--department")] = None,
    confidence: Annotated[float, typer.Option("--confidence")] = 0.95,
    estimator: Annotated[Literal["hajek", "ht"], typer.Option("--estimator")] = "hajek",
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the estimates as CSV.")
    ] = None,
) -> None:
    """Estimate violation rates and counts in the whole population from a draw's results."""
    from scheduler.publication import inputs, jobs

    del data  # accepted for symmetry with the other commands; the draw carries what is needed
    report = jobs.run_estimate(
        inputs.read_draw(draw),
        inputs.read_results(results),
        receipt=inputs.read_receipt(receipt) if receipt else None,
        department_code=department,
        by=by or ["department", "tier", "region"],
        confidence=confidence,
        estimator=estimator,
    )
    table = Table(
        title=f"violation rates ({report.estimator}, {report.confidence:.0%} CI, {report.variance})"
    )
    for header in (
        "domain",
        "value",
        "drawn",
        "with result",
        "violations",
        "population",
        "rate",
        "CI",
        "violating entities",
        "CI",
    ):
        table.add_column(header, justify="right")
    for e in report.estimates:
        table.add_row(
            e.domain,
            e.value,
            str(e.drawn),
            str(e.observed),
            str(e.violations),
            f"{e.population:,.0f}",
            f"{e.rate:.1%}",
            f"{e.rate_low:.1%}–{e.rate_high:.1%}",
            f"{e.total:,.0f}",
            f"{e.total_low:,.0f}–{e.total_high:,.0f}",
        )
    console.print(table)
    if out is not None:
        report.to_frame().to_csv(out, index=False, encoding="utf-8-sig")
        console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("export")(export)
    app.add_typer(results_app, name="results")
    app.command("publish")(publish)
    app.command("deadlines")(deadlines)
    app.command("report-ratings")(report_ratings)
    app.add_typer(objection_app, name="objection")
    app.add_typer(repair_app, name="repair")
    app.command("estimate")(estimate)
