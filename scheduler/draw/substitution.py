"""Substituting a drawn entity in a draw kept in files (the file-mode user action).

A recorded draw is substituted in the database (``plans.record_substitution``).
A file draw is first verified against its data folder (a draw that does not
verify is not changed), then drawn again with the substitution so the draw CSV
and the receipt are rewritten exactly as the draw would have produced them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scheduler.draw.reserve import Substitution
from scheduler.errors import InvalidInputError, VerificationError

__all__ = ["substitute_in_files"]


def substitute_in_files(
    data: Path, draw_file: Path, receipt_path: Path, uscc: str, reason: str
) -> Substitution:
    """Replace ``uscc`` by the next reserve of its stratum in a verified file draw."""
    from scheduler.data.importing.reader import read_folder
    from scheduler.draw.frame import FRAME_INPUT, build_frame
    from scheduler.draw.receipt import read_json, write_json
    from scheduler.draw.reserve import next_reserve
    from scheduler.draw.run import DrawParameters, draw_from_frame, read_draw_csv, write_draw_csv
    from scheduler.draw.verify import verify as verify_draw

    if not reason.strip():
        raise InvalidInputError("a substitution needs a reason (e.g. 已注销, 迁出, 无法联系).")
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
