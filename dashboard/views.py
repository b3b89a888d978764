"""Display helpers shared by pages: option lists and labels built from reference data.

Only presentation lives here (names for codes, option dictionaries for select
boxes); anything that computes a result belongs in ``scheduler``.
"""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import language, t
from scheduler.data import reference
from scheduler.data.directory import Directory

__all__ = [
    "PAGES",
    "AUTO_PREVIEW_ENTITIES",
    "dash_if_missing",
    "calendar_labels",
    "department_options",
    "region_options",
    "sector_options",
    "tier_labels",
    "preset_label",
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

AUTO_PREVIEW_ENTITIES = 150_000
"""Above this many entities in a plan's divisions its frame preview waits for a click.

A frame is read from the database row by row: about a second per 50,000
entities, minutes for a whole city, too slow for every change of a widget.
"""


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


def preset_label(name: str) -> str:
    """A preset's display name: its source in Chinese (``河南 2021``), its id in English."""
    if language() == "en":
        return name
    label = t(f"preset:{name}")
    if label != f"preset:{name}":
        return label
    preset = reference.presets().get(name)
    return preset.source if preset is not None else name


def preset_options() -> dict[str, str]:
    """``name -> "weifang-default (A 3%, B 5%, ...)"`` or ``"河南 2021（A 1%，B 2%，…）"``."""
    if language() == "en":
        return {
            name: f"{name} ("
            + ", ".join(f"{code} {rate:.0%}" for code, rate in preset.rates.items())
            + f"; {preset.source})"
            for name, preset in reference.presets().items()
        }
    return {
        name: f"{preset_label(name)}（"
        + "，".join(f"{code} {rate:.0%}" for code, rate in preset.rates.items())
        + "）"
        for name, preset in reference.presets().items()
    }


def entity_type_options() -> tuple[str, ...]:
    from scheduler.data.formats import ENTITY_TYPES

    return ENTITY_TYPES


WEEKDAYS = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def _day_text(day: pd.Timestamp, lang: str) -> str:
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day:%b} {day.day}"


def calendar_labels(days: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Text labels for a calendar heat map of ``day, week, weekday`` rows.

    Charts get dates as text in the reader's language (``12月7日``, ``周一``): the
    chart library formats real dates in English only.
    """
    ordered = days.sort_values("day", kind="stable")
    return ordered.assign(
        week_label=[_day_text(d, lang) for d in pd.to_datetime(ordered["week"])],
        weekday_label=[WEEKDAYS[lang][int(w)] for w in ordered["weekday"]],
        day_label=[
            f"{d.year}年{_day_text(d, lang)}" if lang == "zh" else f"{d:%Y-%m-%d}"
            for d in pd.to_datetime(ordered["day"])
        ],
    )


def dash_if_missing(value: object) -> object:
    """``—`` for a missing cell (tables would show a grey English "None"), else the value."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return "—"
    return value
