"""Summaries of one plan for the dashboard: its frame, its draw, its assignment.

Small vectorised tables a planner reads at a glance: per tier how many
entities and expected inspections; drawn against expected per tier and
division (from the receipt); each inspector's workload against capacity; the
teams with names; visits per working day. Also the one-click relaxations of
an infeasible plan, applied exactly as the diagnosis verified them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from scheduler.data.directory import Directory

if TYPE_CHECKING:
    from scheduler.data.calendar import WorkingCalendar
    from scheduler.draw.frame import SamplingFrame
    from scheduler.draw.policy import Policy
    from scheduler.matching import AssignmentResult, AssignSettings, Diagnosis, Relaxation

__all__ = [
    "frame_summary",
    "count_table",
    "workload_table",
    "load_distribution",
    "team_table",
    "visits_per_day",
    "Relaxed",
    "apply_relaxation",
]


def frame_summary(frame: SamplingFrame, policy: Policy) -> pd.DataFrame:
    """Per tier of a plan's frame: ``population``, mean ``probability`` and ``expected`` draws.

    The preview a planner checks before saving a plan: how many entities each
    tier holds and how many inspections the policy will send to it.
    """
    from scheduler.draw.policy import unit_probabilities

    pi = unit_probabilities(frame, policy)
    grouped = pd.DataFrame({"tier": frame.units["tier"].to_numpy(), "pi": pi}).groupby("tier")["pi"]
    table = pd.DataFrame(
        {"population": grouped.size(), "probability": grouped.mean(), "expected": grouped.sum()}
    )
    order = [c for c in frame.scheme.codes if c in table.index]
    return table.reindex(order)


def count_table(
    counts: dict[str, dict[str, float | int]], names: dict[str, str] | None = None
) -> pd.DataFrame:
    """A receipt's per-tier or per-division counts as a table.

    ``counts`` is ``receipt["counts"]["tier"]`` (or ``["region"]``):
    ``{key: {"population", "expected", "drawn"}}``. Adds ``name``, ``gap``
    (drawn minus expected) and ``probability`` (mean inclusion probability,
    expected / population).
    """
    table = pd.DataFrame.from_dict(counts, orient="index")
    table.index.name = "key"
    table = table.reset_index()
    table.insert(1, "name", table["key"].map(names or {}).fillna(table["key"]))
    table["gap"] = table["drawn"] - table["expected"]
    table["probability"] = table["expected"] / table["population"].where(table["population"] > 0)
    return table


def workload_table(result: AssignmentResult, directory: Directory) -> pd.DataFrame:
    """Every active inspector of the plan's departments with ``visits`` against ``capacity``.

    Columns: inspector_id, name, department_code, region_code, visits,
    capacity, utilisation. Inspectors with no visit are kept (load 0), so an
    uneven allocation shows.
    """
    departments = {a.department_code for a in result.assignments}
    inspectors = directory.inspectors
    pool = inspectors.loc[
        inspectors["department_code"].isin(departments) & inspectors["active"].astype(bool),
        ["inspector_id", "name", "department_code", "region_code", "capacity"],
    ].copy()
    loads = pd.Series(result.loads(), dtype="int64")
    pool["visits"] = pool["inspector_id"].map(loads).fillna(0).astype("int64")
    pool["capacity"] = pool["capacity"].astype("int64")
    pool["utilisation"] = pool["visits"] / pool["capacity"].where(pool["capacity"] > 0)
    columns = [
        "inspector_id",
        "name",
        "department_code",
        "region_code",
        "visits",
        "capacity",
        "utilisation",
    ]
    return pool[columns].sort_values(
        ["visits", "inspector_id"], ascending=[False, True], ignore_index=True
    )


def load_distribution(loads: pd.DataFrame) -> pd.DataFrame:
    """How many inspectors carry each number of visits: ``visits, inspectors``.

    ``loads`` is a ``workload_table``.
    """
    counts = loads["visits"].value_counts().sort_index()
    return pd.DataFrame({"visits": counts.index.astype("int64"), "inspectors": counts.to_numpy()})


def team_table(result: AssignmentResult, directory: Directory) -> pd.DataFrame:
    """The assignment with inspector names: one row per visit and department.

    Columns: visit_id, scheduled_on, department_code, uscc, name, region_code,
    lead (name), members (names, ``、``-joined), cross_region.
    """
    names = dict(
        zip(directory.inspectors["inspector_id"], directory.inspectors["name"], strict=True)
    )
    rows = [
        {
            "visit_id": a.visit_id,
            "scheduled_on": a.scheduled_on,
            "department_code": a.department_code,
            "uscc": a.uscc,
            "name": a.name,
            "region_code": a.region_code,
            "lead": f"{names.get(a.lead_inspector_id, '')} ({a.lead_inspector_id})",
            "members": "、".join(f"{names.get(i, '')} ({i})" for i in a.member_inspector_ids),
            "cross_region": a.cross_region,
        }
        for a in result.assignments
    ]
    columns = [
        "visit_id",
        "scheduled_on",
        "department_code",
        "uscc",
        "name",
        "region_code",
        "lead",
        "members",
        "cross_region",
    ]
    return pd.DataFrame(rows, columns=columns).sort_values(
        ["scheduled_on", "visit_id"], ignore_index=True
    )


def visits_per_day(result: AssignmentResult) -> pd.DataFrame:
    """Visits per scheduled day (a joint visit counts once): ``day, visits, weekday, week``."""
    days = pd.Series({a.visit_id: a.scheduled_on for a in result.assignments}, dtype=object)
    counts = pd.to_datetime(days).value_counts().sort_index()
    frame = pd.DataFrame({"day": counts.index, "visits": counts.to_numpy()})
    frame["weekday"] = frame["day"].dt.day_of_week
    frame["week"] = frame["day"].dt.to_period("W-SUN").dt.start_time
    return frame


@dataclass(frozen=True)
class Relaxed:
    """Inputs of a re-run with one relaxation applied."""

    directory: Directory
    settings: AssignSettings
    end: date


def apply_relaxation(
    relaxation: Relaxation,
    diagnosis: Diagnosis,
    *,
    directory: Directory,
    settings: AssignSettings,
    end: date,
    calendar: WorkingCalendar,
) -> Relaxed:
    """The inputs with ``relaxation`` applied as ``scheduler.matching.diagnose`` verified it.

    ``raise_capacity`` raises every active inspector of the capacity-bound
    department x division cells by ``amount``; ``extend_window`` moves the end
    by ``amount`` working days; ``allow_cross_region`` lets members come from
    other divisions. The change applies to this run only; the stored
    directory is unchanged.
    """
    from scheduler.errors import InvalidInputError
    from scheduler.matching.diagnosis import with_raised_capacity

    if relaxation.kind == "allow_cross_region":
        return Relaxed(directory, replace(settings, allow_cross_region=True), end)
    if relaxation.kind == "extend_window":
        return Relaxed(directory, settings, calendar.add_working_days(end, relaxation.amount))
    if relaxation.kind == "raise_capacity":
        cells = {
            (r.department_code, r.region_code) for r in diagnosis.rows if r.binding == "capacity"
        }
        return Relaxed(with_raised_capacity(directory, cells, relaxation.amount), settings, end)
    raise InvalidInputError(f"unknown relaxation {relaxation.kind!r}")
