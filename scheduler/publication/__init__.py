"""一公开: exports, the masked public list, results and deadlines, the credit
lifecycle, and population estimates of violation rates.

Pure builders (``exports``, ``public_list``, ``estimates``, ``rules``,
``masking``) work on DataFrames; ``results``, ``lifecycle`` and ``deadlines``
work inside a caller's database session.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_SOURCES = {
    "DomainEstimate": "scheduler.publication.estimates",
    "EstimateReport": "scheduler.publication.estimates",
    "estimate_rates": "scheduler.publication.estimates",
    "sample_frame": "scheduler.publication.estimates",
    "TaskSheets": "scheduler.publication.exports",
    "TeamHeading": "scheduler.publication.exports",
    "inspection_list": "scheduler.publication.exports",
    "split_frame": "scheduler.publication.exports",
    "task_sheets": "scheduler.publication.exports",
    "NameMasker": "scheduler.publication.masking",
    "mask_person": "scheduler.publication.masking",
    "PUBLIC_COLUMNS": "scheduler.publication.public_list",
    "masker_for": "scheduler.publication.public_list",
    "public_list": "scheduler.publication.public_list",
    "LifecycleRules": "scheduler.publication.rules",
    "load_rules": "scheduler.publication.rules",
    "next_tier": "scheduler.publication.rules",
    "neutralise": "scheduler.data.safe_cells",
    "neutralise_frame": "scheduler.data.safe_cells",
}
"""Where each public name lives: submodules load on first use, so that importing
one light submodule (``rules``) does not pull in scipy through ``estimates``."""

__all__ = [
    "DomainEstimate",
    "EstimateReport",
    "estimate_rates",
    "sample_frame",
    "TaskSheets",
    "TeamHeading",
    "inspection_list",
    "split_frame",
    "task_sheets",
    "NameMasker",
    "mask_person",
    "PUBLIC_COLUMNS",
    "masker_for",
    "public_list",
    "LifecycleRules",
    "load_rules",
    "next_tier",
    "neutralise",
    "neutralise_frame",
]


def __getattr__(name: str) -> Any:
    if name in _SOURCES:
        return getattr(import_module(_SOURCES[name]), name)
    raise AttributeError(f"module 'scheduler.publication' has no attribute {name!r}")
