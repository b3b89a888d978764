"""CLI commands of the audit log: ``audit verify`` and ``audit head``."""

from __future__ import annotations

import typer

from scheduler.cli.console import console, err_console
from scheduler.cli.draw_options import Url

__all__ = ["register"]

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(url: Url = None) -> None:
    """Walk the hash chain, check every recorded draw and run, re-derive every draw from its
    frame snapshot; exit 1 naming the first break."""
    from scheduler.draw.verify import verify_record
    from scheduler.store.engine import make_engine

    engine = make_engine(url)
    try:
        report = verify_record(engine)
    finally:
        engine.dispose()
    if report.ok:
        console.print(
            f"[green]intact[/]: {report.events} events chained, {report.draws} draws and "
            f"{report.runs} assignment runs match their events"
        )
        console.print(str(report.head), markup=False, soft_wrap=True)
        return
    err_console.print(f"[bold red]broken:[/] {report.problems[0]}", highlight=False, soft_wrap=True)
    for problem in report.problems[1:]:
        err_console.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@audit_app.command("head")
def audit_head(url: Url = None) -> None:
    """Print the chain head (event number and hash): the anchor to publish or keep."""
    from scheduler.store.audit_chain import chain_head
    from scheduler.store.engine import make_engine

    engine = make_engine(url)
    try:
        console.print(str(chain_head(engine)), markup=False, soft_wrap=True)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(audit_app, name="audit")
