"""The audit log as a planner reads it: a label for each event kind and a sentence for its details.

The log stores machine-readable kinds (``draw.created``) and JSON details so that it
can be checked by programs; the audit page shows both in the planner's language.
A kind without a sentence falls back to ``label value; …`` pairs of its scalar
details, so a new event kind is never hidden, only less polished.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.i18n import t
from dashboard.views import preset_label

__all__ = ["actor_label", "describe", "event_label", "subject_label"]

EVENT_KINDS = (
    "directory.load",
    "plan.created",
    "draw.created",
    "draw.redrawn",
    "draw.substituted",
    "assignment.run",
    "assignment.swap",
    "results.import",
    "results.publish",
    "tier.change",
    "ratings.report",
    "objection.file",
    "objection.decide",
    "repair.apply",
    "repair.complete",
    "repair.report",
)
"""Every kind ``scheduler`` records (``grep -r record_event scheduler``)."""

SENTENCES: dict[str, str] = {
    "directory.load": "{entities} entities, {inspectors} inspectors, {ratings} credit ratings",
    "plan.created": "department {department}; {mode_label}",
    "draw.created": "plan {plan_id}: {sample_size} entities drawn, seed {seed}",
    "draw.redrawn": "plan {plan_id}: {sample_size} entities drawn, seed {seed}; reason: {reason}",
    "assignment.run": "{start} to {end}: {visits} visits, {unassigned} unassigned, seed {seed}",
    "results.import": "{count} results recorded",
}
"""English sentences (translated by ``t``) for the kinds a planner meets most."""


def event_label(kind: str) -> str:
    """``draw.created`` -> ``抽取`` (or the English label); unknown kinds as they are."""
    label = t(f"event:{kind}")
    return kind if label == f"event:{kind}" else label


def actor_label(actor: str | None) -> str:
    """``system``/``dashboard``/``cli`` in the planner's language; a person's name as it is."""
    if not actor:
        return "—"
    label = t(f"actor:{actor}")
    return actor if label == f"actor:{actor}" else label


def subject_label(subject: str | None) -> str:
    """``plan:1`` -> ``计划 1``, ``run:3/9137…`` -> ``匹配 3/9137…``; draw ids as they are."""
    if not subject:
        return "—"
    prefix, sep, rest = subject.partition(":")
    label = t(f"subject:{prefix}")
    if label == f"subject:{prefix}":
        return subject
    return f"{label} {rest}" if sep else label


def _flat(details: Mapping[str, object]) -> dict[str, object]:
    """Scalars of ``details`` and of its first-level dictionaries (``written.entities``)."""
    flat: dict[str, object] = {}
    for name, value in details.items():
        if isinstance(value, Mapping):
            for inner, v in value.items():
                flat.setdefault(str(inner), v)
        flat[name] = value
    return flat


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) else f"{value:g}"
    if isinstance(value, list | tuple):
        return "、".join(_text(v) for v in value) if value else "—"
    return str(value)


def describe(
    kind: str, details: Mapping[str, object] | None, departments: Mapping[str, str]
) -> str:
    """One readable line for an event's details; department codes shown by name."""
    details = dict(details or {})
    if "department" in details:
        details["department"] = departments.get(str(details["department"]), details["department"])
    if kind == "plan.created":
        mode = str(details.get("mode", ""))
        preset = details.get("preset")
        details["mode_label"] = (
            t("preset {preset}", preset=preset_label(str(preset)))
            if preset
            else t(f"plan mode:{mode}")
        )
    if "seed" in details:
        details["seed"] = str(details["seed"])  # an identifier: no thousands separators
    flat = _flat(details)
    sentence = SENTENCES.get(kind)
    if sentence is not None:
        try:
            return t(sentence, **{k: _text(v) for k, v in flat.items()})
        except (KeyError, IndexError):
            pass  # details of an older format: fall back to the pairs below
    pairs = [
        f"{t(f'detail:{name}') if t(f'detail:{name}') != f'detail:{name}' else name} {_text(v)}"
        for name, v in details.items()
        if not isinstance(v, Mapping)
    ]
    return "；".join(pairs)
