"""The credit lifecycle around an inspection, each step with its deadline and audit event.

* findings move an entity's tier with a department; each change is reported to
  the city credit platform within 7 working days (``tier_changes``);
* an objection (异议) is decided within 5 working days; an upheld one corrects
  the rating (and optionally the result) and flags the draws that used the
  wrong tier (``objections``);
* credit repair (信用修复) is possible after the minimum publicity period; the
  completed repair restores the tier held before the downgrade and is reported
  within 2 working days (``repairs``).

This module gathers the three in one namespace for the CLI and the dashboard.
"""

from __future__ import annotations

from scheduler.publication.objections import decide_objection, file_objection
from scheduler.publication.repairs import apply_repair, complete_repair, report_repair
from scheduler.publication.tier_changes import apply_findings, current_tier, report_ratings

__all__ = [
    "current_tier",
    "apply_findings",
    "report_ratings",
    "file_objection",
    "decide_objection",
    "apply_repair",
    "complete_repair",
    "report_repair",
]
