"""CLI command ``substitute``: replace a drawn entity by the next reserve.

It works on a file draw (``scheduler.draw.substitution``, re-verified first)
or on a draw recorded in the database (``scheduler.draw.plans``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console
from scheduler.cli.draw_options import Url
from scheduler.errors import InvalidInputError

__all__ = ["register"]


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
        from scheduler.draw.plans import record_substitution
        from scheduler.store.engine import init_db, make_engine

        engine = make_engine(url)
        init_db(engine)
        sub = record_substitution(engine, draw_id, uscc, reason, actor=cli_actor())
    else:
        if data is None or draw_file is None or receipt is None:
            raise InvalidInputError(
                "give --data, --draw and --receipt (or --draw-id for a recorded draw)."
            )
        from scheduler.draw.substitution import substitute_in_files

        sub = substitute_in_files(data, draw_file, receipt, uscc, reason)
    console.print(
        f"{sub.uscc_out} -> {sub.uscc_in} (stratum {sub.stratum}): {sub.reason}", markup=False
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("substitute")(substitute)
