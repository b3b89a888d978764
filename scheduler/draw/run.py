"""A draw: a pure function of (canonical frame, parameters, seed, algorithm version).

``run_draw`` builds the frame, computes every unit's inclusion probability,
draws with ``scheduler.draw.sampling.draw_sample`` (strata region x tier) and
orders the reserves, then assembles the draw rows (SPEC section 4) and the
receipt. Two independent streams come from the seed with
``SeedSequence(seed).spawn(2)``: one for the draw, one for the reserves, each
read only as raw ``PCG64`` words (algorithm version 2; see ``docs/draw.md``).
Version 1 draws are re-run by the frozen ``scheduler.draw.sampling_v1`` for
verification only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scheduler.data.atomic_files import atomic_target
from scheduler.data.directory import Directory
from scheduler.data.formats import ColumnSpec as C
from scheduler.data.formats import TableSpec
from scheduler.data.reference import tier_scheme
from scheduler.data.safe_cells import neutralise
from scheduler.draw.frame import FrameRules, SamplingFrame, build_frame
from scheduler.draw.policy import Policy, stratum_labels, unit_probabilities
from scheduler.draw.reserve import Substitution, apply_substitutions, reserve_order
from scheduler.draw.sampling import ALGORITHM_VERSION, draw_sample
from scheduler.errors import InvalidInputError, Problem

SUPPORTED_VERSIONS = ("1", "2")
"""Algorithm versions this code can re-run (new draws use ``ALGORITHM_VERSION``)."""

__all__ = [
    "DRAW_COLUMNS",
    "DRAW_SPEC",
    "RESERVE_COLUMNS",
    "DrawParameters",
    "DrawResult",
    "run_draw",
    "draw_from_frame",
    "draw_id_for",
    "format_prob",
    "write_draw_csv",
    "read_draw_csv",
    "write_reserves_csv",
    "neutralise_names",
]

DRAW_SPEC = TableSpec(
    "draw",
    "抽取结果",
    (
        C("draw_id", "抽查编号", "code"),
        C("uscc", "统一社会信用代码", "uscc"),
        C("name", "名称", aliases=("主体名称",)),
        C("region_code", "行政区划代码", "code"),
        C("tier", "信用等级", "tier", required=False),
        C("inclusion_prob", "入样概率"),
        C("stratum", "抽样层", required=False),
        C("department_code", "部门代码", "code", required=False),
    ),
    key=("draw_id", "uscc"),
)
"""The draw file (SPEC section 4) as read back, possibly re-saved by a planner.

``department_code`` is never written (the receipt carries it) but may be added.
"""

DRAW_COLUMNS = tuple(name for name in DRAW_SPEC.column_names if name != "department_code")
"""The columns a draw file is written with, in order."""
RESERVE_COLUMNS = (
    "stratum",
    "reserve_rank",
    "uscc",
    "name",
    "region_code",
    "tier",
    "inclusion_prob",
)


@dataclass(frozen=True)
class DrawParameters:
    """Everything besides the data and the seed that determines a draw."""

    rules: FrameRules
    policy: Policy
    reserve_min: int = 3
    reserve_share: float = 0.1

    def as_dict(self) -> dict[str, Any]:
        """The receipt's ``parameters``: JSON-able, lists sorted, no defaults left implicit.

        The commitment-check keys appear only when the option is on, so the
        parameters (and draw ids) of draws without it are what they were.
        """
        r = self.rules
        checks: dict[str, Any] = (
            {}
            if r.verify_commitments is None
            else {
                "verify_commitments": r.verify_commitments.isoformat(),
                "commitment_checks": sorted(r.commitment_checks),
            }
        )
        if r.tier_months:  # only when set, like the commitment checks
            checks["tier_months"] = dict(sorted(r.tier_months))
        if r.joint_departments:
            checks["joint_departments"] = sorted(r.joint_departments)
            checks["joint_tier_rule"] = r.joint_tier_rule
        return {
            **checks,
            "department_code": r.department_code,
            "on": r.on.isoformat(),
            "regions": sorted(r.regions),
            "sectors": sorted(r.sectors),
            "entity_types": sorted(r.entity_types),
            "repeat_window_months": r.repeat_window_months,
            "repeat_exempt_tiers": None
            if r.repeat_exempt_tiers is None
            else sorted(r.repeat_exempt_tiers),
            "exempt": sorted(r.exempt),
            "force_include": sorted(r.force_include),
            "scheme": r.scheme or tier_scheme(None).name,  # resolved: settings may change later
            "policy": self.policy.as_dict(),
            "strata": ["region_code", "tier"],
            "reserves": {"min": self.reserve_min, "share": self.reserve_share},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DrawParameters:
        exempt_tiers = data.get("repeat_exempt_tiers")
        rules = FrameRules(
            department_code=data["department_code"],
            on=date.fromisoformat(data["on"]),
            regions=tuple(data.get("regions", ())),
            sectors=tuple(data.get("sectors", ())),
            entity_types=tuple(data.get("entity_types", ())),
            repeat_window_months=int(data.get("repeat_window_months", 12)),
            repeat_exempt_tiers=None if exempt_tiers is None else tuple(exempt_tiers),
            exempt=tuple(data.get("exempt", ())),
            force_include=tuple(data.get("force_include", ())),
            scheme=data.get("scheme"),
            verify_commitments=None
            if data.get("verify_commitments") is None
            else date.fromisoformat(data["verify_commitments"]),
            commitment_checks=tuple(data.get("commitment_checks", ())),
            tier_months=tuple(sorted((t, int(m)) for t, m in data.get("tier_months", {}).items())),
            joint_departments=tuple(data.get("joint_departments", ())),
            joint_tier_rule=data.get("joint_tier_rule", "least_favourable"),
        )
        reserves = data.get("reserves", {})
        return cls(
            rules=rules,
            policy=Policy.from_dict(data["policy"]),
            reserve_min=int(reserves.get("min", 3)),
            reserve_share=float(reserves.get("share", 0.1)),
        )


@dataclass(frozen=True)
class DrawResult:
    draw_id: str
    seed: int
    parameters: DrawParameters
    frame: SamplingFrame = field(repr=False)
    pi: np.ndarray = field(repr=False)
    """Inclusion probability per frame unit (canonical order)."""
    strata: pd.Series = field(repr=False)
    selected: np.ndarray = field(repr=False)
    """Indices into ``frame.units`` of the drawn units, before substitutions."""
    rows: pd.DataFrame = field(repr=False)
    """The draw file (``DRAW_COLUMNS``), after substitutions, sorted by USCC."""
    reserves: pd.DataFrame = field(repr=False)
    receipt: dict[str, Any] = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.rows)


def format_prob(values: np.ndarray) -> list[str]:
    """Shortest round-trip text of each probability: same float, same bytes."""
    return [repr(float(v)) for v in values]


def draw_id_for(
    frame_sha256: str,
    parameters: dict[str, Any],
    seed: int,
    algorithm_version: str = ALGORITHM_VERSION,
) -> str:
    """Deterministic id: the same inputs give the same id (and the same bytes)."""
    from scheduler.draw.receipt import canonical_json

    digest = hashlib.sha256(
        b"|".join(
            [
                frame_sha256.encode(),
                canonical_json(parameters),
                str(seed).encode(),
                algorithm_version.encode(),
            ]
        )
    ).hexdigest()
    return "DR-" + digest[:12].upper()


def _unit_rows(
    frame: SamplingFrame, index: np.ndarray, pi: np.ndarray, strata: pd.Series
) -> pd.DataFrame:
    units = frame.units
    return pd.DataFrame(
        {
            "uscc": units["uscc"].to_numpy()[index],
            "name": units["name"].to_numpy()[index],
            "region_code": units["region_code"].to_numpy()[index],
            "tier": units["tier"].to_numpy()[index],
            "inclusion_prob": format_prob(pi[index]),
            "stratum": strata.to_numpy()[index],
        }
    )


def draw_from_frame(
    frame: SamplingFrame,
    parameters: DrawParameters,
    seed: int,
    *,
    seed_source: dict[str, Any] | None = None,
    substitutions: tuple[Substitution, ...] = (),
    created_at: str | None = None,
    algorithm_version: str = ALGORITHM_VERSION,
    frame_hash: str | None = None,
) -> DrawResult:
    """Draw from a built frame (the CLI builds it once and reports on it).

    ``algorithm_version`` other than the current one only re-runs a recorded
    draw (``verify``); ``frame_hash`` skips re-hashing a frame already hashed.
    """
    from scheduler.draw.receipt import build_receipt, frame_sha256

    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InvalidInputError(f"`seed` must be a whole number >= 0; got {seed!r}.")
    if algorithm_version not in SUPPORTED_VERSIONS:
        raise InvalidInputError(
            f"algorithm version {algorithm_version!r} is not known to this code "
            f"(it re-runs versions {', '.join(SUPPORTED_VERSIONS)})."
        )
    if parameters.rules.commitment_checks != frame.rules.commitment_checks:
        # the frame resolved the commitment checks from the data: record what it found
        rules = replace(parameters.rules, commitment_checks=frame.rules.commitment_checks)
        parameters = replace(parameters, rules=rules)
    pi = unit_probabilities(frame, parameters.policy)
    strata = stratum_labels(frame)
    codes, _ = pd.factorize(strata, sort=True)  # region-major: "region/tier" sorts by region
    selected, reserve_keys = _draw_streams(pi, codes.astype(np.intp), seed, algorithm_version)
    reserve_index, reserve_rank = reserve_order(
        codes,
        selected,
        rng=None,
        keys=reserve_keys,
        reserve_min=parameters.reserve_min,
        reserve_share=parameters.reserve_share,
    )
    reserves = _unit_rows(frame, reserve_index, pi, strata)
    reserves.insert(1, "reserve_rank", reserve_rank)
    reserves = reserves[list(RESERVE_COLUMNS)]
    frame_hash = frame_hash or frame_sha256(frame)
    draw_id = draw_id_for(frame_hash, parameters.as_dict(), seed, algorithm_version)
    rows = _unit_rows(frame, selected, pi, strata)
    rows.insert(0, "draw_id", draw_id)
    rows = apply_substitutions(rows, reserves, list(substitutions))
    receipt = build_receipt(
        draw_id=draw_id,
        seed=seed,
        frame=frame,
        frame_hash=frame_hash,
        parameters=parameters,
        pi=pi,
        rows=rows,
        seed_source=seed_source,
        substitutions=substitutions,
        created_at=created_at,
        algorithm_version=algorithm_version,
    )
    return DrawResult(
        draw_id, seed, parameters, frame, pi, strata, selected, rows, reserves, receipt
    )


def _draw_streams(
    pi: np.ndarray, codes: np.ndarray, seed: int, version: str
) -> tuple[np.ndarray, np.ndarray]:
    """The selected units and the reserve keys (uniforms in [0, 1), one per unit).

    Version 2 reads the two spawned streams only as raw PCG64 words; a reserve
    key is the top 53 bits of one word times 2**-53. Version 1 used
    ``default_rng`` and ``Generator.random`` (stable only within a numpy version).
    """
    draw_seq, reserve_seq = np.random.SeedSequence(seed).spawn(2)
    if version == "1":
        from scheduler.draw import sampling_v1

        draw_rng, reserve_rng = np.random.default_rng(draw_seq), np.random.default_rng(reserve_seq)
        selected = sampling_v1.draw_sample(pi, rng=draw_rng, strata=codes)
        return selected, reserve_rng.random(codes.size)
    selected = draw_sample(pi, rng=np.random.PCG64(draw_seq), strata=codes)
    words = np.asarray(np.random.PCG64(reserve_seq).random_raw(codes.size), dtype=np.uint64)
    return selected, (words >> np.uint64(11)).astype(np.float64) * 2.0**-53


def run_draw(
    directory: Directory,
    parameters: DrawParameters,
    seed: int,
    *,
    seed_source: dict[str, Any] | None = None,
    substitutions: tuple[Substitution, ...] = (),
) -> DrawResult:
    """Build the frame of ``parameters`` over ``directory`` and draw with ``seed``."""
    frame = build_frame(directory, parameters.rules)
    return draw_from_frame(
        frame, parameters, seed, seed_source=seed_source, substitutions=substitutions
    )


def neutralise_names(names: pd.Series) -> pd.Series:
    """Names as a spreadsheet may safely open them (CSV injection neutralised)."""
    return pd.Series(names.to_numpy(dtype=object), index=names.index, dtype=object).map(neutralise)


def write_draw_csv(rows: pd.DataFrame, path: str | Path) -> Path:
    """Write the draw file: UTF-8 with BOM, ``\\n`` line ends, formula-safe names."""
    out = rows[list(DRAW_COLUMNS)].copy()
    out["name"] = neutralise_names(out["name"])
    target = Path(path)
    with atomic_target(target) as temporary:
        out.to_csv(temporary, index=False, encoding="utf-8-sig", lineterminator="\n")
    return target


def write_reserves_csv(reserves: pd.DataFrame, path: str | Path) -> Path:
    out = reserves[list(RESERVE_COLUMNS)].copy()
    out["name"] = neutralise_names(out["name"])
    target = Path(path)
    with atomic_target(target) as temporary:
        out.to_csv(temporary, index=False, encoding="utf-8-sig", lineterminator="\n")
    return target


def read_draw_csv(path: str | Path) -> pd.DataFrame:
    """Read a draw file back as text cells (names as written, neutralised)."""
    name = Path(path).name
    try:
        rows = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InvalidInputError(
            problems=[Problem(name, None, None, f"cannot read draw file: {error}")]
        ) from error
    missing = [c for c in DRAW_COLUMNS if c not in rows.columns]
    if missing:
        raise InvalidInputError(problems=[Problem(name, 1, c, "missing column") for c in missing])
    return rows[list(DRAW_COLUMNS)].astype(object)
