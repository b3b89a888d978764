"""一公开: exports, the masked public list, results and deadlines, the credit
lifecycle, and population estimates of violation rates.

Pure builders (``exports``, ``public_list``, ``estimates``, ``rules``,
``masking``) work on DataFrames; ``results``, ``lifecycle`` and ``deadlines``
work inside a caller's database session.
"""

from scheduler.publication.estimates import (
    DomainEstimate,
    EstimateReport,
    estimate_rates,
    sample_frame,
)
from scheduler.publication.exports import TaskSheet, inspection_list, split_frame, task_sheets
from scheduler.publication.masking import NameMasker, mask_person
from scheduler.publication.public_list import PUBLIC_COLUMNS, masker_for, public_list
from scheduler.publication.rules import LifecycleRules, load_rules, next_tier
from scheduler.publication.safe_cells import neutralise, neutralise_frame

__all__ = [
    "DomainEstimate",
    "EstimateReport",
    "estimate_rates",
    "sample_frame",
    "TaskSheet",
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
