"""CLI command ``substitute``: replace a drawn entity by the next reserve.

Split from ``scheduler.cli.draw``: it works on a file draw (re-verified
first) or on a draw recorded in the database (``scheduler.draw.plans``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console
from scheduler.cli.draw_options import Url
from scheduler.errors import InvalidInputError, VerificationError

if TYPE_CHECKING:
    from scheduler.draw.reserve import Substitution

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
        sub = _file_substitute(data, draw_file, receipt, uscc, reason)
    console.print(
        f"{sub.uscc_out} -> {sub.uscc_in} (stratum {sub.stratum}): {sub.reason}", markup=False
    )


def _file_substitute(
    data: Path, draw_file: Path, receipt_path: Path, uscc: str, reason: str
) -> Substitution:
    from scheduler.data.importing.reader import read_folder
    from scheduler.draw.frame import FRAME_INPUT, build_frame
    from scheduler.draw.receipt import read_json, write_json
    from scheduler.draw.reserve import Substitution, next_reserve
    from scheduler.draw.run import DrawParameters, draw_from_frame, read_draw_csv, write_draw_csv
    from scheduler.draw.verify import verify as verify_draw

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


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("substitute")(substitute)
