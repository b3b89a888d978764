"""Receipts, the canonical frame hash, verification and commit-reveal seeds.

The canonical frame is the frame's units sorted by USCC, one line
``uscc,region_code,tier`` each under the header ``uscc,region_code,tier``,
joined with ``\\n``, UTF-8; its SHA-256 is ``frame_sha256``. Those are the
only unit fields the draw depends on (``forced`` follows from the
parameters). JSON is hashed in canonical form: sorted keys, no spaces, UTF-8.
``created_at`` is never hashed, so the same seed gives the same bytes.

Commit-reveal (public draw ceremonies) lives in ``scheduler.draw.ceremony``; the
names re-exported here (``make_commitment``, ``commitment_digest``,
``seed_from_reveal``, ``check_commitment``) delegate to it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

__all__ = [
    "ALGORITHM",
    "canonical_json",
    "canonical_frame_bytes",
    "frame_sha256",
    "build_receipt",
    "write_json",
    "read_json",
    "versions",
]

if TYPE_CHECKING:
    pass

ALGORITHM = "stratified-srs-joint-rounding/randomized-systematic-pips"


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


_FRAME_COLUMNS = ("uscc", "region_code", "tier")


def canonical_frame_bytes(frame: Any) -> bytes:
    """The canonical frame (see the module docstring).

    Joined in Arrow (a 1M-entity frame: 0.14 s instead of 0.2 s); cells that
    are not all text take the plain Python path, which fails on them.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    units = frame.units  # already in canonical (USCC) order
    cells = [units[c].to_numpy(dtype=object) for c in _FRAME_COLUMNS]
    try:
        columns = [pa.array(c, type=pa.string()) for c in cells]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        columns = None
    if columns is None or any(c.null_count for c in columns):
        body = "\n".join(map(",".join, zip(*(c.tolist() for c in cells), strict=True)))
        return ("uscc,region_code,tier\n" + body).encode("utf-8")
    lines = pc.binary_join_element_wise(*columns, ",")
    whole = pa.ListArray.from_arrays(pa.array([0, len(lines)], type=pa.int32()), lines)
    body_bytes: bytes = pc.binary_join(whole, "\n").cast(pa.binary())[0].as_py()
    return b"uscc,region_code,tier\n" + body_bytes


def frame_sha256(frame: Any) -> str:
    return hashlib.sha256(canonical_frame_bytes(frame)).hexdigest()


def versions() -> dict[str, str]:
    """numpy guarantees identical random streams only within one version."""
    from scheduler import __version__

    return {"numpy": np.__version__, "scheduler": __version__}


def _counts(by: np.ndarray, pi: np.ndarray, drawn: pd.Series) -> dict[str, dict[str, float | int]]:
    population = pd.Series(by).value_counts()
    expected = pd.Series(pi).groupby(by).sum()
    drawn_counts = drawn.value_counts()
    return {
        str(key): {
            "population": int(population[key]),
            "expected": round(float(expected[key]), 6),
            "drawn": int(drawn_counts.get(key, 0)),
        }
        for key in sorted(population.index)
    }


def _exclusion_counts(excluded: pd.DataFrame) -> dict[str, int]:
    reasons = excluded["reason"].astype(str)
    kinds = reasons.where(~reasons.str.startswith("inspected by"), "repeat control")
    return {str(k): int(v) for k, v in sorted(kinds.value_counts().items())}


def build_receipt(
    *,
    draw_id: str,
    seed: int,
    frame: Any,
    frame_hash: str,
    parameters: Any,
    pi: np.ndarray,
    rows: pd.DataFrame,
    seed_source: dict[str, Any] | None,
    substitutions: tuple[Any, ...],
    created_at: str | None = None,
    algorithm_version: str | None = None,
) -> dict[str, Any]:
    """The receipt of SPEC section 4, with everything needed to recompute the draw."""
    from scheduler.draw.sampling import ALGORITHM_VERSION

    params = parameters.as_dict()
    units = frame.units
    checks = {}
    if params.get("verify_commitments") is not None:  # 承诺核查, counted apart from the sample
        listed = set(params["commitment_checks"])
        drawn = int(rows["uscc"].isin(listed).sum())
        checks = {
            "commitment_checks": {
                "until": params["verify_commitments"],
                "in_frame": int(units["uscc"].isin(listed).sum()),
                "drawn": drawn,
                "others_drawn": int(len(rows)) - drawn,
            }
        }
    control = "repeat control by tier" if params.get("tier_months") else "repeat control"
    return {
        **checks,
        "probabilities_defined_on": (
            f"the frame after its exclusions (status, exemption list, {control}); "
            "excluded entities have no inclusion probability"
        ),
        "draw_id": draw_id,
        "algorithm": ALGORITHM,
        "algorithm_version": algorithm_version or ALGORITHM_VERSION,
        "seed": seed,
        "seed_source": seed_source or {"kind": "given"},
        "frame_sha256": frame_hash,
        "frame_size": int(len(units)),
        "excluded": _exclusion_counts(frame.excluded),
        "parameters": params,
        "parameters_sha256": hashlib.sha256(canonical_json(params)).hexdigest(),
        "sample_size": int(len(rows)),
        "expected_size": round(float(pi.sum()), 6),
        "counts": {
            "tier": _counts(units["tier"].to_numpy(), pi, rows["tier"]),
            "region": _counts(units["region_code"].to_numpy(), pi, rows["region_code"]),
        },
        "substitutions": [s.as_dict() for s in substitutions],
        "versions": versions(),
        "created_at": created_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def write_json(value: dict[str, Any], path: str | Path) -> Path:
    """Deterministic, readable JSON (sorted keys, 2-space indent, UTF-8, final newline)."""
    from scheduler.data.atomic_files import write_text

    return write_text(path, json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n")


def read_json(path: str | Path) -> dict[str, Any]:
    from scheduler.errors import InvalidInputError, Problem

    try:
        value = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise InvalidInputError(
            problems=[Problem(Path(path).name, None, None, f"cannot read JSON: {error}")]
        ) from error
    if not isinstance(value, dict):
        raise InvalidInputError(
            problems=[Problem(Path(path).name, None, None, "expected a JSON object")]
        )
    return value
