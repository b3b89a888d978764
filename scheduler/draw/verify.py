"""``verify``: recompute a draw from its receipt and the data, name the first difference.

Checks, in order: the seed follows from its recorded source (``scheduler.draw.ceremony``:
the commitment and the revealed value, for every recorded shape and version),
and the commitment is the one witnesses published when its SHA-256 is given;
the parameters and seed still give the receipt's
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
from sqlalchemy import Engine

from scheduler.data.directory import Directory
from scheduler.draw.ceremony import seed_source_problems
from scheduler.draw.frame import build_frame
from scheduler.draw.frame_diff import frame_changes
from scheduler.draw.receipt import canonical_json, frame_sha256, read_json, versions
from scheduler.draw.reserve import Substitution
from scheduler.draw.run import (
    DRAW_COLUMNS,
    SUPPORTED_VERSIONS,
    DrawParameters,
    draw_from_frame,
    draw_id_for,
    neutralise_names,
    read_draw_csv,
)
from scheduler.draw.snapshot import (
    frame_from_snapshot,
    load_snapshot,
    read_snapshot,
    snapshot_problem,
)
from scheduler.errors import InvalidInputError, VerificationError
from scheduler.store.audit_verify import DRAW_CHECKS, AuditReport, verify_audit

__all__ = ["VerifyReport", "verify", "verify_recorded_draw", "rederive_check", "verify_record"]

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
    """Version 1 drew through numpy ``Generator`` methods: another numpy may differ."""
    if str(receipt.get("algorithm_version")) != "1":
        return []
    recorded = receipt.get("versions") or {}
    return [
        f"the receipt was made with {name} {recorded.get(name)}; this is {now} "
        "(algorithm version 1 is reproducible only within one numpy version)"
        for name, now in versions().items()
        if recorded.get(name) != now
    ]


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


def _row_differences(
    file_rows: pd.DataFrame, expected: pd.DataFrame, file_name: str, *, names: bool = True
) -> list[str]:
    expected = expected[list(DRAW_COLUMNS)].astype(str).reset_index(drop=True)
    expected["name"] = neutralise_names(expected["name"])
    actual = file_rows[list(DRAW_COLUMNS)].astype(str).reset_index(drop=True)
    actual["name"] = neutralise_names(actual["name"])  # idempotent: rows from a file already are
    if not names:  # a snapshot has no names: they cannot be checked, only the units
        expected["name"] = actual.set_index("uscc")["name"].reindex(expected["uscc"]).to_numpy()
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


def _receipt_differences(
    recorded: dict[str, Any], recomputed: dict[str, Any], *, excluded: bool = True
) -> list[str]:
    out = []
    keys = ("frame_size", "sample_size", "expected_size", "excluded", "counts")
    for key in keys if excluded else tuple(k for k in keys if k != "excluded"):
        if recorded.get(key) != recomputed.get(key):
            out.append(
                f"changed receipt: {key} is {recorded.get(key)!r} in the receipt, "
                f"{recomputed.get(key)!r} recomputed"
            )
    return out


def verify(
    directory: Directory | None,
    draw: str | Path | pd.DataFrame,
    receipt: str | Path | dict[str, Any],
    *,
    commitment_sha256: str | None = None,
    snapshot: bytes | str | Path | None = None,
) -> VerifyReport:
    """Recompute the draw of ``receipt`` and compare with ``draw``.

    The frame comes from ``snapshot`` (canonical bytes or a snapshot file) when
    given, else from ``directory``; with both, a directory that changed since the
    draw is reported as a warning naming what changed. ``commitment_sha256`` is
    the commitment hash witnesses published. Returns a ``VerifyReport``; raises
    ``InvalidInputError`` only for unreadable inputs (exit 2), never for a
    mismatch (that is ``report.ok is False``).
    """
    if directory is None and snapshot is None:
        raise InvalidInputError("verify needs the data (a directory) or the draw's snapshot.")
    file_name = Path(draw).name if isinstance(draw, (str, Path)) else "draw"
    rows = read_draw_csv(draw) if isinstance(draw, (str, Path)) else draw.reset_index(drop=True)
    receipt = read_json(receipt) if isinstance(receipt, (str, Path)) else receipt
    warnings = _version_warnings(receipt)
    draw_id = str(receipt.get("draw_id", ""))
    version = str(receipt.get("algorithm_version", ""))
    try:
        params = DrawParameters.from_dict(receipt["parameters"])
        seed = int(receipt["seed"])
        substitutions = tuple(Substitution(**s) for s in receipt.get("substitutions", []))
    except (KeyError, TypeError, ValueError) as error:
        return VerifyReport(draw_id, (f"incomplete receipt: {error!r}",), tuple(warnings))
    if version not in SUPPORTED_VERSIONS:
        return VerifyReport(
            draw_id,
            (f"unknown algorithm version {version!r}: this code re-runs {SUPPORTED_VERSIONS}",),
            tuple(warnings),
        )
    differences = seed_source_problems(receipt, seed, commitment_sha256)
    differences += _rate_hints(params, rows)
    recorded_hash = str(receipt.get("frame_sha256"))
    if draw_id_for(recorded_hash, receipt["parameters"], seed, version) != draw_id:
        differences.append(
            f"changed parameters or seed: draw_id {draw_id} does not follow from "
            "the receipt's frame hash, parameters, seed and algorithm version"
        )
    params_hash = hashlib.sha256(canonical_json(receipt["parameters"])).hexdigest()
    if params_hash != receipt.get("parameters_sha256"):
        differences.append("changed parameters: they do not match the receipt's parameters_sha256")
    if snapshot is not None:
        canonical = read_snapshot(snapshot) if isinstance(snapshot, (str, Path)) else snapshot
        problem = snapshot_problem(canonical, recorded_hash)
        if problem:
            differences.append(problem)
            return VerifyReport(draw_id, tuple(differences), tuple(warnings))
        frame = frame_from_snapshot(canonical, params)
        if directory is not None:
            current = build_frame(directory, params.rules)
            if frame_sha256(current) != recorded_hash:
                warnings.append(
                    "the directory changed since the draw (verified from the snapshot): "
                    + "; ".join(frame_changes(receipt, current, frame.units))
                )
    else:
        assert directory is not None
        frame = build_frame(directory, params.rules)
        now_hash = frame_sha256(frame)
        if now_hash != recorded_hash:
            differences.append(
                f"changed frame: the data give frame_sha256 {now_hash[:16]}... "
                f"with {frame.size} units; "
                f"the receipt has {recorded_hash[:16]}... "
                f"with {receipt.get('frame_size')} units"
            )
            differences += [f"changed frame: {line}" for line in frame_changes(receipt, frame)]
            return VerifyReport(draw_id, tuple(differences), tuple(warnings))
    try:
        result = draw_from_frame(
            frame,
            params,
            seed,
            substitutions=substitutions,
            algorithm_version=version,
            frame_hash=recorded_hash,
        )
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
    from_snapshot = snapshot is not None
    differences += _row_differences(rows, expected, file_name, names=not from_snapshot)
    differences += _receipt_differences(receipt, result.receipt, excluded=not from_snapshot)
    return VerifyReport(draw_id, tuple(dict.fromkeys(differences)), tuple(warnings))


def verify_recorded_draw(
    engine: Engine, draw_id: str, *, commitment_sha256: str | None = None
) -> VerifyReport:
    """Re-run a draw recorded in the database from its frame snapshot.

    The snapshot (written with the draw) makes the check independent of later
    changes to the directory; an edited snapshot is a difference. A draw
    recorded before snapshots existed is checked against the current directory,
    with a warning saying so. Raises ``NotFoundError`` for an unknown draw.
    """
    from scheduler.draw.plans import draw_receipt, draw_rows

    receipt = draw_receipt(engine, draw_id)
    rows = draw_rows(engine, draw_id)
    canonical = load_snapshot(engine, str(receipt.get("frame_sha256")))
    if canonical is not None:
        return verify(None, rows, receipt, commitment_sha256=commitment_sha256, snapshot=canonical)
    from scheduler.store.loader import directory_from_db

    report = verify(directory_from_db(engine), rows, receipt, commitment_sha256=commitment_sha256)
    note = "no frame snapshot is recorded for this draw: verified against the current directory"
    return VerifyReport(report.draw_id, report.differences, (note, *report.warnings))


def rederive_check(engine: Engine, draw_id: str) -> str | None:
    """The audit's per-draw check: the recorded draw re-derives from its frame snapshot.

    A draw recorded before snapshots existed has none; its stored rows are still
    covered by its audit event's digest, so it is passed over here.
    """
    from scheduler.draw.plans import draw_receipt

    if load_snapshot(engine, str(draw_receipt(engine, draw_id).get("frame_sha256"))) is None:
        return None
    report = verify_recorded_draw(engine, draw_id)
    if report.ok:
        return None
    return f"draw {draw_id} does not re-derive from its frame snapshot: {report.differences[0]}"


def verify_record(engine: Engine) -> AuditReport:
    """``scheduler audit verify``: the chain, every record's digest, every draw re-derived."""
    return verify_audit(engine, draw_checks=(*DRAW_CHECKS, rederive_check))
