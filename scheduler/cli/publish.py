"""CLI commands of 一公开: export, publish, estimate (this module) and the credit
lifecycle (``publish_lifecycle``). Each parses, calls one library function, prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from scheduler.cli import publish_lifecycle
from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console
from scheduler.cli.publish_options import DataOpt, OnOpt, UrlOpt, context
from scheduler.cli.publish_options import day as parse_day

__all__ = ["register"]


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
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --out.")] = False,
) -> None:
    """Export the inspection list, the task sheets or the public list of a draw.

    Files are written atomically; an existing --out is kept unless --force.
    """
    from scheduler.data.atomic_files import check_targets
    from scheduler.publication import inputs, jobs

    check_targets([out], overwrite=force)

    if draw_id is not None:
        from scheduler.store.engine import make_engine

        files, count, anchor = jobs.export_recorded(
            make_engine(url),
            draw_id,
            kind=kind,
            fmt=fmt,
            out=out,
            department_code=department,
            receipt=inputs.read_receipt(receipt) if receipt else None,
            split=split,
        )
    else:
        if data is None or draw is None:
            raise typer.BadParameter("give --data and --draw (or --draw-id with --url)")
        from scheduler.data.importing.reader import read_folder

        directory = read_folder(data)
        draw_frame = inputs.read_draw(draw)
        assign_frame = inputs.read_assignment(assignment) if assignment else None
        dept = jobs.department_of(
            draw_frame,
            assignment=assign_frame,
            receipt=inputs.read_receipt(receipt) if receipt else None,
            explicit=department,
        )
        anchor = None
        files, count = jobs.run_export(
            directory,
            draw_frame,
            kind=kind,
            fmt=fmt,
            out=out,
            assignment=assign_frame,
            results=inputs.read_results(results) if results else None,
            department_code=dept,
            split=split,
        )
    unit = "teams" if kind == "tasks" else "rows"
    console.print(f"exported {count} {unit} to {', '.join(str(f) for f in files)}")
    if anchor:
        console.print(anchor, markup=False, soft_wrap=True)


def publish(
    out: Annotated[Path, typer.Option("--out", help="Public list file.")],
    fmt: Annotated[Literal["xlsx", "csv", "json"], typer.Option("--format")] = "xlsx",
    on: OnOpt = None,
    draw_id: Annotated[
        str | None, typer.Option("--draw-id", help="Only this draw's results.")
    ] = None,
    url: UrlOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --out.")] = False,
) -> None:
    """Write the public list of every unpublished result and mark them published on --on.

    The list carries the audit chain head, printed here too: keep it.
    """
    from scheduler.data.atomic_files import check_targets

    check_targets([out], overwrite=force)
    from scheduler.publication.publishing import publish_recorded

    engine, *_ = context(url)
    files, count, head = publish_recorded(
        engine, out=out, fmt=fmt, on=parse_day(on), draw_id=draw_id, actor=cli_actor()
    )
    console.print(f"published {count} results to {', '.join(str(f) for f in files)}")
    console.print(f"{head} (keep it: it anchors the audit log)", markup=False, soft_wrap=True)


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
    from scheduler.publication.estimates import INSUFFICIENT_ZH
    from scheduler.publication.intervals import MIN_EFFECTIVE_N

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
        title=f"violation rates ({report.estimator}, {report.confidence:.0%} Korn–Graubard CI, "
        f"{report.variance})"
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
        "n_eff",
        "flag",
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
            f"{e.effective_n:.1f}",
            INSUFFICIENT_ZH if e.insufficient_sample else "",
        )
    console.print(table)
    flagged = [f"{e.domain} {e.value}".strip() for e in report.estimates if e.insufficient_sample]
    if flagged:
        console.print(
            f"{INSUFFICIENT_ZH} (insufficient sample: effective n below {MIN_EFFECTIVE_N:.0f}, "
            f"read the rate with care): {', '.join(flagged)}",
            soft_wrap=True,
        )
    if out is not None:
        from scheduler.data.atomic_files import atomic_target

        with atomic_target(out) as temporary:
            report.to_frame().to_csv(temporary, index=False, encoding="utf-8-sig")
        console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("export")(export)
    app.command("publish")(publish)
    app.command("estimate")(estimate)
    publish_lifecycle.register(app)
