"""The second random: drawn entities -> lawful random inspector teams on working days.

Public API: ``assign``, ``plan``, ``check_assignment``, ``swap_inspector``,
``diagnose``, the result types, and draw input helpers. See ``docs/matching.md``.
"""

from scheduler.matching.api import assign, swap_inspector
from scheduler.matching.checker import CheckFailedError, Violation, check_assignment
from scheduler.matching.diagnosis import Diagnosis, DiagnosisRow, Relaxation, diagnose
from scheduler.matching.eligibility import exclusion_reasons
from scheduler.matching.result import Assignment, AssignmentResult, AssignSettings, UnassignedTask
from scheduler.matching.solve import plan
from scheduler.matching.tasks import DrawInput, read_draw_input

__all__ = [
    "assign",
    "plan",
    "swap_inspector",
    "check_assignment",
    "CheckFailedError",
    "Violation",
    "diagnose",
    "Diagnosis",
    "DiagnosisRow",
    "Relaxation",
    "exclusion_reasons",
    "Assignment",
    "AssignmentResult",
    "AssignSettings",
    "UnassignedTask",
    "DrawInput",
    "read_draw_input",
]
