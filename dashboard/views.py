"""Display helpers shared by pages: option lists and labels built from reference data.

Only presentation lives here (names for codes, option dictionaries for select
boxes); anything that computes a result belongs in ``scheduler``.
"""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import language, t
from scheduler import reference
from scheduler.directory import Directory

__all__ = [
    "PAGES",
    "department_options",
    "region_options",
    "sector_options",
    "tier_labels",
    "preset_options",
    "entity_type_options",
]

PAGES: tuple[tuple[str, str, str, str], ...] = (
    # file, English title (translated), icon, url path
    ("overview.py", "Overview", ":material/dashboard:", "overview"),
    ("data_import.py", "Data import", ":material/upload_file:", "import"),
    ("plans.py", "Inspection plans", ":material/assignment:", "plans"),
    ("draw.py", "Random draw", ":material/casino:", "draw"),
    ("matching.py", "Inspector matching", ":material/groups:", "matching"),
    ("exports.py", "Exports", ":material/download:", "exports"),
    ("publication.py", "Results and publication", ":material/campaign:", "publication"),
    ("simulation.py", "Policy simulation", ":material/insights:", "simulation"),
    ("audit.py", "Audit", ":material/verified_user:", "audit"),
)
"""The dashboard's pages: file in ``app_pages/``, English title (translated), icon, URL path."""


def department_options(directory: Directory | None, *, public: bool = True) -> dict[str, str]:
    """``code -> name`` for a select box; ``PUBLIC`` (comprehensive rating) first if asked."""
    options: dict[str, str] = {}
    if public:
        options[reference.PUBLIC_DEPARTMENT] = t("Public comprehensive rating")
    table = directory.departments if directory is not None and len(directory.departments) else None
    if table is None:
        pairs = [(d.code, d.name) for d in reference.departments()]
    else:
        pairs = list(zip(table["code"], table["name"], strict=True))
    for code, name in pairs:
        options[str(code)] = f"{name} ({code})" if language() == "en" else str(name)
    return options


def region_options(directory: Directory | None) -> dict[str, str]:
    if directory is not None and len(directory.regions):
        return dict(zip(directory.regions["code"], directory.regions["name"], strict=True))
    return {r.code: r.name for r in reference.regions()}


def sector_options(
    directory: Directory | None, department_code: str | None = None
) -> dict[str, str]:
    """``code -> name`` of the sectors, optionally of one department only."""
    if directory is not None and len(directory.sectors):
        table = directory.sectors
    else:
        table = pd.DataFrame([s.__dict__ for s in reference.sectors()])
    if department_code:
        table = table.loc[table["department_code"] == department_code]
    return dict(zip(table["code"], table["name"], strict=True))


def tier_labels(scheme: str | None = None) -> dict[str, str]:
    """``code -> "A 诚信守法"`` (or the English name) in the scheme's order, best first."""
    tiers = reference.tier_scheme(scheme).tiers
    if language() == "en":
        return {tier.code: f"{tier.code} ({tier.name_en})" for tier in tiers}
    return {tier.code: f"{tier.code} {tier.name}" for tier in tiers}


def preset_options() -> dict[str, str]:
    """``name -> "weifang-default (A 3%, B 5%, ...)"``."""
    return {
        name: f"{name} ("
        + ", ".join(f"{code} {rate:.0%}" for code, rate in preset.rates.items())
        + f"; {preset.source})"
        for name, preset in reference.presets().items()
    }


def entity_type_options() -> tuple[str, ...]:
    from scheduler.formats import ENTITY_TYPES

    return ENTITY_TYPES
