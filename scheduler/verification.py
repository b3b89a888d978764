"""``verify``: recompute a draw from its receipt and the data, name the first difference.

Checks, in order: the seed follows from the commitment and the reveal (for
commit-reveal draws); the parameters and seed still give the receipt's
``draw_id`` and ``parameters_sha256``, and no per-tier rate is contradicted by
the draw file (an edited receipt); the frame rebuilt from the data has the
receipt's ``frame_sha256``; the recomputed draw, substitutions applied, equals
the draw file row by row and field by field; the receipt's
counts equal the recomputed ones. Differing numpy or project versions are a
warning, not a failure: numpy promises identical streams only within a version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scheduler.directory import Directory
from scheduler.draw import (
    DRAW_COLUMNS,
    DrawParameters,
    draw_from_frame,
    draw_id_for,
    neutralise_names,
    read_draw_csv,
)
from scheduler.errors import InvalidInputError, VerificationError
from scheduler.frame import build_frame
from scheduler.receipt import (
    canonical_json,
    commitment_digest,
    frame_sha256,
    read_json,
    seed_from_reveal,
    versions,
)
from scheduler.reserve import Substitution

__all__ = ["VerifyReport", "verify"]

_MAX_ROW_DIFFERENCES = 5


@dataclass(frozen=True)
class VerifyReport:
    draw_id: str
    differences: tuple[str, ...]
    """Empty when the draw is reproduced exactly; the first is the headline."""
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.differences

    def raise_if_mismatch(self) -> None:
        if self.differences:
            raise VerificationError(self.differences[0])


def _version_warnings(receipt: dict[str, Any]) -> list[str]:
    recorded = receipt.get("versions") or {}
    return [
        f"the receipt was made with {name} {recorded.get(name)}; this is {now} "
        "(random streams are guaranteed identical only within one numpy version)"
        for name, now in versions().items()
        if recorded.get(name) != now
    ]


def _seed_problems(receipt: dict[str, Any], seed: int) -> list[str]:
    source = receipt.get("seed_source") or {}
    if source.get("kind") != "commit-reveal":
        return []
    commitment = source.get("commitment") or {}
    problems = []
    if source.get("commitment_sha256") != commitment_digest(commitment):
        problems.append(
            "changed commitment: its SHA-256 differs from the one recorded at the reveal"
        )
    if seed_from_reveal(commitment, str(source.get("reveal", ""))) != seed:
        problems.append(
            "changed seed: it does not follow from the commitment and the revealed value"
        )
    if commitment.get("parameters") != receipt.get("parameters"):
        problems.append("changed parameters: they differ from the committed parameters")
    if commitment.get("frame_sha256") != receipt.get("frame_sha256"):
        problems.append("changed frame: the receipt's frame_sha256 differs from the committed one")
    return problems


def _rate_hints(params: DrawParameters, rows: pd.DataFrame) -> list[str]:
    """Name a per-tier rate that the draw file contradicts (an edited rate)."""
    if params.policy.mode != "rates":
        return []
    hints = []
    plain = rows[~rows["stratum"].astype(str).str.endswith("/forced")]
    for tier, rate in params.policy.rates.items():
        used = set(plain.loc[plain["tier"] == tier, "inclusion_prob"])
        if len(used) == 1:
            (value,) = used
            try:
                if float(value) != rate:
                    hints.append(
                        f"changed parameters: rates['{tier}'] is {rate} in the receipt, "
                        f"but the draw file was drawn with {value}"
                    )
            except ValueError:
                pass
    return hints


def _row_differences(file_rows: pd.DataFrame, expected: pd.DataFrame, file_name: str) -> list[str]:
    expected = expected[list(DRAW_COLUMNS)].astype(str).reset_index(drop=True)
    expected["name"] = neutralise_names(expected["name"])
    actual = file_rows[list(DRAW_COLUMNS)].astype(str).reset_index(drop=True)
    actual["name"] = neutralise_names(actual["name"])  # idempotent: rows from a file already are
    out: list[str] = []
    extra = sorted(set(actual["uscc"]) - set(expected["uscc"]))
    gone = sorted(set(expected["uscc"]) - set(actual["uscc"]))
    for uscc in extra[:_MAX_ROW_DIFFERENCES]:
        row = int(actual.index[actual["uscc"] == uscc][0]) + 2
        out.append(
            f"edited draw file: {file_name} row {row} has uscc {uscc}, "
            "which the recomputed draw does not"
        )
    for uscc in gone[:_MAX_ROW_DIFFERENCES]:
        out.append(
            f"edited draw file: {file_name} lacks uscc {uscc}, which the recomputed draw has"
        )
    if extra or gone or len(actual) != len(expected):
        if len(actual) != len(expected):
            out.append(
                f"edited draw file: {file_name} has {len(actual)} rows; "
                f"the recomputed draw has {len(expected)}"
            )
        return out
    mismatch = actual.to_numpy() != expected.to_numpy()
    for r, c in zip(*np.nonzero(mismatch), strict=True):
        if len(out) >= _MAX_ROW_DIFFERENCES:
            break
        column = DRAW_COLUMNS[c]
        out.append(
            f"edited draw file: {file_name} row {r + 2} (uscc {actual.at[r, 'uscc']}), "
            f"column {column!r}: "
            f"{actual.iat[r, c]!r} in the file, {expected.iat[r, c]!r} recomputed"
        )
    return out


def _receipt_differences(recorded: dict[str, Any], recomputed: dict[str, Any]) -> list[str]:
    out = []
    for key in ("frame_size", "sample_size", "expected_size", "excluded", "counts"):
        if recorded.get(key) != recomputed.get(key):
            out.append(
                f"changed receipt: {key} is {recorded.get(key)!r} in the receipt, "
                f"{recomputed.get(key)!r} recomputed"
            )
    return out


def verify(
    directory: Directory, draw: str | Path | pd.DataFrame, receipt: str | Path | dict[str, Any]
) -> VerifyReport:
    """Recompute the draw of ``receipt`` from ``directory`` and compare with ``draw``.

    Returns a ``VerifyReport``; raises ``InvalidInputError`` only for unreadable
    inputs (exit 2), never for a mismatch (that is ``report.ok is False``).
    """
    file_name = Path(draw).name if isinstance(draw, (str, Path)) else "draw"
    rows = read_draw_csv(draw) if isinstance(draw, (str, Path)) else draw.reset_index(drop=True)
    receipt = read_json(receipt) if isinstance(receipt, (str, Path)) else receipt
    warnings = _version_warnings(receipt)
    draw_id = str(receipt.get("draw_id", ""))
    try:
        params = DrawParameters.from_dict(receipt["parameters"])
        seed = int(receipt["seed"])
        substitutions = tuple(Substitution(**s) for s in receipt.get("substitutions", []))
    except (KeyError, TypeError, ValueError) as error:
        return VerifyReport(draw_id, (f"incomplete receipt: {error!r}",), tuple(warnings))
    differences = _seed_problems(receipt, seed)
    differences += _rate_hints(params, rows)
    recorded_hash = str(receipt.get("frame_sha256"))
    if draw_id_for(recorded_hash, receipt["parameters"], seed) != draw_id:
        differences.append(
            f"changed parameters or seed: draw_id {draw_id} does not follow from "
            "the receipt's frame hash, parameters and seed"
        )
    params_hash = hashlib.sha256(canonical_json(receipt["parameters"])).hexdigest()
    if params_hash != receipt.get("parameters_sha256"):
        differences.append("changed parameters: they do not match the receipt's parameters_sha256")
    frame = build_frame(directory, params.rules)
    now_hash = frame_sha256(frame)
    if now_hash != recorded_hash:
        differences.append(
            f"changed frame: the data give frame_sha256 {now_hash[:16]}... "
            f"with {frame.size} units; "
            f"the receipt has {recorded_hash[:16]}... "
            f"with {receipt.get('frame_size')} units"
        )
        return VerifyReport(draw_id, tuple(differences), tuple(warnings))
    try:
        result = draw_from_frame(frame, params, seed, substitutions=substitutions)
    except InvalidInputError as error:
        differences.append(f"invalid substitution or parameters: {error}")
        return VerifyReport(draw_id, tuple(differences), tuple(warnings))
    wrong_id = rows.loc[rows["draw_id"].astype(str) != draw_id]
    if len(wrong_id):
        differences.append(
            f"edited draw file: {file_name} row {int(wrong_id.index[0]) + 2} has draw_id "
            f"{wrong_id['draw_id'].iloc[0]!r}; the receipt's is {draw_id!r}"
        )
    expected = result.rows.assign(draw_id=draw_id)
    differences += _row_differences(rows, expected, file_name)
    differences += _receipt_differences(receipt, result.receipt)
    return VerifyReport(draw_id, tuple(dict.fromkeys(differences)), tuple(warnings))
