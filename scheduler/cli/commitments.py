"""CLI commands for credit commitments (信用承诺): mark broken, the revoked list, due counts.

Each command calls one function of ``scheduler.publication.commitments``; the Chinese
export columns live there too (``REVOKED_ZH``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scheduler import clock
from scheduler.cli.console import console
from scheduler.cli.draw_options import Url, optional_day
from scheduler.errors import InvalidInputError

__all__ = ["register"]

commitments_app = typer.Typer(
    help="Credit commitments (信用承诺): broken ones, the revoked list, what falls due.",
    no_args_is_help=True,
)


def broken(
    uscc: Annotated[str, typer.Option("--uscc", help="The entity.")],
    department: Annotated[str, typer.Option("--department", help="Department code.")],
    item: Annotated[str, typer.Option("--item", help="The commitment's item (承诺事项).")],
    kind: Annotated[str, typer.Option("--kind", help="不实承诺 or 未履约.")],
    on: Annotated[str | None, typer.Option("--on", help="Day found (default today).")] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Lifecycle rules JSON (broken_commitment).")
    ] = None,
    actor: Annotated[str, typer.Option("--actor")] = "cli",
    url: Url = None,
) -> None:
    """Mark a commitment broken: revoked list, audit event, tier move if the rules say so."""
    from scheduler.publication.commitments import BROKEN_KINDS, mark_broken
    from scheduler.publication.rules import load_rules
    from scheduler.store.engine import init_db, make_engine, session_scope

    if kind not in BROKEN_KINDS:
        raise InvalidInputError(f"`--kind` must be one of {', '.join(BROKEN_KINDS)}; got {kind!r}.")
    engine = make_engine(url)
    init_db(engine)
    with session_scope(engine) as session:
        done = mark_broken(
            session,
            uscc=uscc,
            department_code=department,
            item=item,
            kind=kind,  # type: ignore[arg-type]
            on=optional_day(on, "--on") or clock.today(),
            rules=load_rules(rules),
            actor=actor,
        )
    moved = (
        f"; tier {done.tier_before} -> {done.tier_after}"
        if done.tier_after is not None and done.tier_after != done.tier_before
        else "; tier unchanged"
    )
    console.print(
        f"commitment {done.commitment_id} of {uscc} marked broken ({kind}){moved}", markup=False
    )


def revoked(
    out: Annotated[Path, typer.Option("--out", help="File to write (.csv or .xlsx).")],
    url: Url = None,
) -> None:
    """Export the 不再适用信用承诺制 list (Chinese headers)."""
    from scheduler.publication.commitments import REVOKED_TITLE, REVOKED_ZH, revoked_list
    from scheduler.publication.writers import write_tables
    from scheduler.store.engine import init_db, make_engine

    suffix = out.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise InvalidInputError(f"`--out` must end in .csv or .xlsx; got {out.name!r}.")
    engine = make_engine(url)
    init_db(engine)
    table = revoked_list(engine)
    write_tables({"": table}, REVOKED_ZH, out, suffix, title=REVOKED_TITLE)  # type: ignore[arg-type]
    console.print(f"{len(table)} rows written to {out}", markup=False)


def due(
    on: Annotated[str | None, typer.Option("--on", help="Day (default today).")] = None,
    horizon: Annotated[int, typer.Option("--days", help="Due within this many days.")] = 30,
    url: Url = None,
) -> None:
    """Pending commitments due soon and overdue, per department."""
    from scheduler.publication.commitments import due_and_overdue
    from scheduler.store.engine import init_db, make_engine
    from scheduler.store.readback import read_table

    engine = make_engine(url)
    init_db(engine)
    day = optional_day(on, "--on") or clock.today()
    with engine.connect() as connection:  # the commitments only, not the whole directory
        commitments = read_table(connection, "commitments")
    counts = due_and_overdue(commitments, on=day, horizon_days=horizon)
    table = Table(title=f"commitments on {day} (due within {horizon} days)")
    for column in counts.columns:
        table.add_column(column)
    for row in counts.itertuples(index=False):
        table.add_row(*map(str, row))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    commitments_app.command("broken")(broken)
    commitments_app.command("revoked")(revoked)
    commitments_app.command("due")(due)
    app.add_typer(commitments_app, name="commitments")
