"""A draw: a pure function of (canonical frame, parameters, seed, algorithm version).

``run_draw`` builds the frame, computes every unit's inclusion probability,
draws with ``scheduler.sampling.draw_sample`` (strata region x tier) and
orders the reserves, then assembles the draw rows (SPEC section 4) and the
receipt. Two independent streams come from the seed with
``SeedSequence.spawn``: one for the draw, one for the reserves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scheduler.atomic_files import atomic_target
from scheduler.directory import Directory
from scheduler.errors import InvalidInputError, Problem
from scheduler.frame import FrameRules, SamplingFrame, build_frame
from scheduler.policy import Policy, stratum_labels, unit_probabilities
from scheduler.reference import tier_scheme
from scheduler.reserve import Substitution, apply_substitutions, reserve_order
from scheduler.safe_cells import neutralise
from scheduler.sampling import ALGORITHM_VERSION, draw_sample

__all__ = [
    "DRAW_COLUMNS",
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

DRAW_COLUMNS = ("draw_id", "uscc", "name", "region_code", "tier", "inclusion_prob", "stratum")
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
        """The receipt's ``parameters``: JSON-able, lists sorted, no defaults left implicit."""
        r = self.rules
        return {
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


def draw_id_for(frame_sha256: str, parameters: dict[str, Any], seed: int) -> str:
    """Deterministic id: the same inputs give the same id (and the same bytes)."""
    from scheduler.receipt import canonical_json

    digest = hashlib.sha256(
        b"|".join(
            [
                frame_sha256.encode(),
                canonical_json(parameters),
                str(seed).encode(),
                ALGORITHM_VERSION.encode(),
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
) -> DrawResult:
    """Draw from a built frame (the CLI builds it once and reports on it)."""
    from scheduler.receipt import build_receipt, frame_sha256

    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InvalidInputError(f"`seed` must be a whole number >= 0; got {seed!r}.")
    pi = unit_probabilities(frame, parameters.policy)
    strata = stratum_labels(frame)
    codes, _ = pd.factorize(strata, sort=True)
    draw_rng, reserve_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)
    )
    selected = draw_sample(pi, rng=draw_rng, strata=codes.astype(np.intp))
    reserve_index, reserve_rank = reserve_order(
        codes,
        selected,
        rng=reserve_rng,
        reserve_min=parameters.reserve_min,
        reserve_share=parameters.reserve_share,
    )
    reserves = _unit_rows(frame, reserve_index, pi, strata)
    reserves.insert(1, "reserve_rank", reserve_rank)
    reserves = reserves[list(RESERVE_COLUMNS)]
    frame_hash = frame_sha256(frame)
    draw_id = draw_id_for(frame_hash, parameters.as_dict(), seed)
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
    )
    return DrawResult(
        draw_id, seed, parameters, frame, pi, strata, selected, rows, reserves, receipt
    )


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
