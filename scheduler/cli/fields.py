"""The CLI's names for the domain fields a library error is about (``SchedulerError.fields``).

The library speaks of the domain (``reason``, ``policy.budget``); this is the one
place that says which option of the command line gives each field, so an error
can end with the options to fix.
"""

from __future__ import annotations

from scheduler.errors import SchedulerError

__all__ = ["OPTIONS", "options_hint", "relaxation_option"]

OPTIONS: dict[str, str] = {
    "reason": "--reason",
    "policy.preset": "--preset",
    "policy.rates": "--rates",
    "policy.budget": "--budget",
    "policy.weights": "--weights",
    "receipt": "--receipt",
    "department": "--department",
    "departments": "--department",
    "assignment": "--assignment",
    "by": "--by",
    "overwrite": "--force",
    "cluster": "--cluster",
    "grid": "--grid",
    "block": "--block",
    "policies": "--policies",
    "policy": "--policy",
    "preset": "--preset",
    "budget": "--budget",
    "joint_tier_rule": "--joint-tier-rule",
}

_RELAXATION_OPTIONS = {"allow_cross_region": "--allow-cross-region", "extend_window": "--end"}


def options_hint(error: SchedulerError) -> str:
    """``" (option --reason)"`` for an error about ``reason``; ``""`` when it names no field."""
    flags = list(dict.fromkeys(OPTIONS.get(f, f) for f in error.fields))
    if not flags:
        return ""
    return f" (option{'s' if len(flags) > 1 else ''} {', '.join(flags)})"


def relaxation_option(relaxation: object) -> str | None:
    """The option that applies a diagnosis's relaxation, if the command line has one."""
    return _RELAXATION_OPTIONS.get(str(getattr(relaxation, "kind", "")))
