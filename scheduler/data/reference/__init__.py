"""Reference data shipped with the package: departments, sectors, regions, tiers,
result codes and sampling presets.

They live as data files in ``scheduler/data/reference/`` so that a city can change
them without touching code (a five-tier scheme is one more entry in
``tiers.json``).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from scheduler.errors import InvalidInputError

__all__ = [
    "PUBLIC_DEPARTMENT",
    "Tier",
    "TierScheme",
    "Preset",
    "ResultCode",
    "Region",
    "Department",
    "Sector",
    "departments",
    "sectors",
    "regions",
    "result_codes",
    "tier_scheme",
    "tier_schemes",
    "presets",
    "preset",
    "default_preset",
    "default_weights",
    "default_min_months",
]

PUBLIC_DEPARTMENT = "PUBLIC"
"""Department code of the public comprehensive credit rating (公共信用综合评价)."""


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    domain: str


@dataclass(frozen=True)
class Sector:
    code: str
    name: str
    department_code: str


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    population_10k: float


@dataclass(frozen=True)
class ResultCode:
    code: str
    name: str
    violation: bool


@dataclass(frozen=True)
class Tier:
    code: str
    name: str
    risk_name: str
    name_en: str
    mix: float
    """Share of entities seen in practice; used by the sample-data generator."""


@dataclass(frozen=True)
class TierScheme:
    """An ordered list of credit tiers, best first."""

    name: str
    description: str
    default_tier: str
    tiers: tuple[Tier, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.tiers)

    def index(self, code: str) -> int:
        """Position of a tier, 0 for the best; raises on an unknown code."""
        try:
            return self.codes.index(code)
        except ValueError:
            raise InvalidInputError(
                f"unknown tier {code!r}; scheme {self.name!r} has {', '.join(self.codes)}"
            ) from None

    def name_of(self, code: str) -> str:
        return self.tiers[self.index(code)].name


@dataclass(frozen=True)
class Preset:
    name: str
    scheme: str
    rates: dict[str, float]
    source: str
    min_months: dict[str, int]
    """Per tier, the minimum months between two inspections of one entity by one
    department (repeat control by tier); ``default_min_months`` unless the preset has its own."""


def _text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(_text(name).splitlines()))


@cache
def _json(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_text(name))
    return loaded


@cache
def departments() -> tuple[Department, ...]:
    """The 34 supervision domains of the seed notice's 附件, by responsible department."""
    return tuple(Department(**r) for r in _rows("departments.csv"))


@cache
def sectors() -> tuple[Sector, ...]:
    return tuple(Sector(**r) for r in _rows("sectors.csv"))


@cache
def regions() -> tuple[Region, ...]:
    """Weifang's 12 county-level divisions with 2020 census population (10k)."""
    return tuple(
        Region(r["code"], r["name"], float(r["population_10k"])) for r in _rows("regions.csv")
    )


@cache
def result_codes() -> tuple[ResultCode, ...]:
    return tuple(
        ResultCode(r["code"], r["name"], r["violation"] == "true")
        for r in _rows("result_codes.csv")
    )


@cache
def tier_schemes() -> dict[str, TierScheme]:
    raw = _json("tiers.json")["schemes"]
    return {
        name: TierScheme(
            name=name,
            description=s["description"],
            default_tier=s["default_tier"],
            tiers=tuple(Tier(**t) for t in s["tiers"]),
        )
        for name, s in raw.items()
    }


def tier_scheme(name: str | None = None) -> TierScheme:
    """The named tier scheme, or the configured default one."""
    if name is None:
        from scheduler.settings import get_settings

        name = get_settings().tier_scheme
    schemes = tier_schemes()
    if name not in schemes:
        raise InvalidInputError(
            f"unknown tier scheme {name!r}; known: {', '.join(sorted(schemes))}"
        )
    return schemes[name]


@cache
def presets() -> dict[str, Preset]:
    raw = _json("presets.json")["presets"]
    months = default_min_months()
    return {
        name: Preset(
            name=name,
            scheme=p["scheme"],
            rates=dict(p["rates"]),
            source=p["source"],
            min_months={k: int(v) for k, v in p.get("min_months", months).items()},
        )
        for name, p in raw.items()
    }


def default_min_months() -> dict[str, int]:
    """This project's default minimum months between inspections, per tier (A 24 ... D 3)."""
    return {k: int(v) for k, v in _json("presets.json")["default_min_months"].items()}


def preset(name: str) -> Preset:
    known = presets()
    if name not in known:
        raise InvalidInputError(f"unknown preset {name!r}; known: {', '.join(sorted(known))}")
    return known[name]


def default_preset() -> Preset:
    """The preset named ``default_preset`` in ``presets.json``."""
    return preset(_json("presets.json")["default_preset"])


def default_weights() -> dict[str, float]:
    """Budget-mode relative weights per tier (SPEC: A:B:C:D = 1:2:5:15)."""
    return {k: float(v) for k, v in _json("presets.json")["default_weights"].items()}
