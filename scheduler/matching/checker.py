"""A solver-independent checker: does a plan obey every hard rule?

It re-reads the directory and the draws itself (no code shared with the
solver's eligibility or flow modules, on purpose: a bug there must not hide a
bug here) and returns every violation found. ``assign`` runs it before
returning a result; the CLI never writes a plan it rejects.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.directory import Directory
from scheduler.data.formats import split_list
from scheduler.errors import SchedulerError
from scheduler.matching.result import Assignment, AssignmentResult, AssignSettings
from scheduler.matching.tasks import DrawInput

__all__ = ["Violation", "CheckFailedError", "check_assignment"]


@dataclass(frozen=True)
class Violation:
    rule: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule} [{self.subject}]: {self.detail}"


class CheckFailedError(SchedulerError):
    """The solver produced a plan that breaks a rule: a bug, never output."""

    exit_code = 1

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        shown = "\n".join(str(v) for v in violations[:20])
        super().__init__(f"internal error: the plan breaks {len(violations)} rule(s):\n{shown}")


def _col(frame: pd.DataFrame, name: str) -> list[str]:
    """A column as a Python list (iterating Arrow-backed strings directly is slow)."""
    texts: list[str] = frame[name].astype(str).to_numpy(dtype=object).tolist()
    return texts


@dataclass(frozen=True)
class _Facts:
    """The directory as the rules read it, rebuilt here independently of the solver."""

    inspectors: dict[str, Any]
    dept_sectors: dict[str, set[str]]
    conflicts: set[tuple[str, str]]
    last_team: dict[tuple[str, str], set[str]]
    entity_sectors: dict[str, set[str]]
    entity_region: dict[str, str]


def _facts(directory: Directory, wanted: set[str]) -> _Facts:
    """Directory facts; entity facts only for the planned USCCs ``wanted``."""
    inspectors = {
        str(r.inspector_id): r._replace(qualifications=frozenset(split_list(r.qualifications)))
        for r in directory.inspectors.itertuples(index=False)
    }
    dept_sectors: dict[str, set[str]] = defaultdict(set)
    for code, dept in zip(
        _col(directory.sectors, "code"), _col(directory.sectors, "department_code"), strict=True
    ):
        dept_sectors[str(dept)].add(str(code))
    conflicts = set(
        zip(
            _col(directory.conflicts, "inspector_id"),
            _col(directory.conflicts, "uscc"),
            strict=True,
        )
    )
    last: dict[tuple[str, str], tuple[Any, set[str]]] = {}
    for r in directory.history.itertuples(index=False):
        key = (str(r.department_code), str(r.uscc))
        if key not in last or r.inspected_on > last[key][0]:
            last[key] = (r.inspected_on, set(split_list(r.inspector_ids)))
    ent = directory.entities
    found = pd.Index(ent["uscc"].astype(str)).get_indexer(sorted(wanted))
    ent = ent.iloc[found[found >= 0]]
    return _Facts(
        inspectors=inspectors,
        dept_sectors=dept_sectors,
        conflicts=conflicts,
        last_team={k: v[1] for k, v in last.items()},
        entity_sectors={
            u: set(split_list(x))
            for u, x in zip(_col(ent, "uscc"), _col(ent, "sectors"), strict=True)
        },
        entity_region=dict(zip(_col(ent, "uscc"), _col(ent, "region_code"), strict=True)),
    )


# --- Coverage: each drawn (draw, department, uscc) planned once or listed unassigned.


def _coverage(result: AssignmentResult, draws: list[DrawInput] | None) -> Iterator[Violation]:
    drawn: set[tuple[str, str, str]] = set()
    for d in draws or []:
        drawn.update(
            (i, d.department_code, u)
            for i, u in zip(_col(d.frame, "draw_id"), _col(d.frame, "uscc"), strict=True)
        )
    planned = Counter((a.draw_id, a.department_code, a.uscc) for a in result.assignments)
    planned.update((u.draw_id, u.department_code, u.uscc) for u in result.unassigned)
    for key in drawn - set(planned) if draws is not None else ():
        yield Violation(
            "coverage", "/".join(key), "drawn but neither planned nor listed unassigned"
        )
    for key, n in planned.items():
        if draws is not None and key not in drawn:
            yield Violation("coverage", "/".join(key), "planned but not drawn")
        elif n > 1:
            yield Violation("coverage", "/".join(key), f"planned {n} times")
    if result.unassigned and not result.settings.allow_partial:
        yield Violation(
            "coverage", "plan", f"{len(result.unassigned)} tasks unassigned without allow_partial"
        )


# --- Per visit (one entity, one team, one day; a joint visit has a row per department).


def _visits(result: AssignmentResult) -> dict[str, list[Assignment]]:
    visits: dict[str, list[Assignment]] = defaultdict(list)
    for a in result.assignments:
        visits[a.visit_id].append(a)
    return visits


def _joint_visit(
    vid: str, rows: list[Assignment], visit_of_uscc: dict[str, str]
) -> Iterator[Violation]:
    """One visit per entity, its rows agreeing on entity, team and date."""
    first = rows[0]
    if any(
        (a.uscc, a.lead_inspector_id, a.member_inspector_ids, a.scheduled_on)
        != (first.uscc, first.lead_inspector_id, first.member_inspector_ids, first.scheduled_on)
        for a in rows
    ):
        yield Violation("visit", vid, "rows of one visit disagree on entity, team or date")
    if visit_of_uscc.setdefault(first.uscc, vid) != vid:
        yield Violation(
            "visit", first.uscc, "entity visited twice in one plan (joint visits must merge)"
        )


def _team(vid: str, rows: list[Assignment], team_size: int) -> Iterator[Violation]:
    """Team size, distinct members, and each department's share of the team."""
    team = rows[0].team
    if len(set(team)) != len(team):
        yield Violation("team", vid, f"an inspector appears twice: {team}")
    if len(team) < team_size:
        yield Violation("team", vid, f"{len(team)} inspectors < team size {team_size}")
    depts = {a.department_code for a in rows}
    need = max(1, math.ceil(team_size / len(depts)))
    supplied: set[str] = set()
    for dept in depts:
        own = {i for a in rows if a.department_code == dept for i in a.department_inspector_ids}
        supplied |= own
        if len(own) < need:
            yield Violation(
                "team", vid, f"department {dept} supplies {len(own)} < {need} inspectors"
            )
    if supplied != set(team):
        yield Violation("team", vid, "team differs from the departments' inspectors")


def _working_day(
    vid: str, day: date, result: AssignmentResult, working: dict[date, bool]
) -> Iterator[Violation]:
    """A visit falls on a working day inside the plan's window."""
    if not (result.start <= day <= result.end):
        yield Violation("calendar", vid, f"{day} outside [{result.start}, {result.end}]")
    if not working[day]:
        yield Violation("calendar", vid, f"{day} is not a working day")


def _visit_rules(result: AssignmentResult, calendar: WorkingCalendar) -> Iterator[Violation]:
    working = {d: calendar.is_working_day(d) for d in {a.scheduled_on for a in result.assignments}}
    visit_of_uscc: dict[str, str] = {}
    for vid, rows in _visits(result).items():
        yield from _joint_visit(vid, rows, visit_of_uscc)
        yield from _team(vid, rows, result.settings.team_size)
        yield from _working_day(vid, rows[0].scheduled_on, result, working)


# --- Per row and member: is this inspector lawful for this department's items?


def _department(who: str, ins: Any, a: Assignment) -> Iterator[Violation]:
    if str(ins.department_code) != a.department_code:
        yield Violation(
            "department", who, f"inspector of {ins.department_code}, task of {a.department_code}"
        )


def _active(who: str, ins: Any) -> Iterator[Violation]:
    if not bool(ins.active):
        yield Violation("active", who, "inspector is not active")


def _qualification(who: str, ins: Any, sectors: set[str], mode: str) -> Iterator[Violation]:
    """``any``: one of the entity's sectors (under the department); ``all``: every one."""
    quals = ins.qualifications
    ok = not sectors or (sectors <= quals if mode == "all" else bool(sectors & quals))
    if not ok:
        yield Violation("qualification", who, f"not qualified for {sorted(sectors)}")


def _conflict(who: str, inspector_id: str, a: Assignment, facts: _Facts) -> Iterator[Violation]:
    if (inspector_id, a.uscc) in facts.conflicts:
        yield Violation("conflict", who, "listed conflict of interest (回避)")


def _rotation(who: str, inspector_id: str, a: Assignment, facts: _Facts) -> Iterator[Violation]:
    if inspector_id in facts.last_team.get((a.department_code, a.uscc), set()):
        yield Violation("rotation", who, "was on this entity's last inspection team")


def _cross_region(a: Assignment, crossed: bool, allowed: bool) -> Iterator[Violation]:
    """The row's flag tells the truth, and crossing happens only where allowed."""
    if crossed != a.cross_region:
        yield Violation(
            "cross_region", a.visit_id, f"flag {a.cross_region} but team crosses: {crossed}"
        )
    if crossed and not allowed:
        yield Violation(
            "cross_region", a.visit_id, "cross-division member but cross-division not allowed"
        )


def _entity_region(a: Assignment, facts: _Facts) -> Iterator[Violation]:
    """The row's division is the entity's division in the directory."""
    region = facts.entity_region.get(a.uscc)
    if region != a.region_code:
        yield Violation("entity", a.uscc, f"region {a.region_code} != directory {region}")


def _row_rules(a: Assignment, facts: _Facts, s: AssignSettings) -> Iterator[Violation]:
    sectors = facts.entity_sectors.get(a.uscc, set()) & facts.dept_sectors.get(
        a.department_code, set()
    )
    yield from _entity_region(a, facts)
    crossed = False
    for i in a.department_inspector_ids:
        who = f"{a.visit_id}/{i}"
        ins = facts.inspectors.get(i)
        if ins is None:
            yield Violation("inspector", who, "unknown inspector")
            continue
        yield from _department(who, ins, a)
        yield from _active(who, ins)
        yield from _qualification(who, ins, sectors, s.qualification)
        yield from _conflict(who, i, a, facts)
        yield from _rotation(who, i, a, facts)
        crossed |= str(ins.region_code) != a.region_code
    yield from _cross_region(a, crossed, s.allow_cross_region)


# --- Workload over the whole plan.


def _team_days(result: AssignmentResult) -> Iterator[tuple[str, date]]:
    """``(inspector, day)`` once per visit each inspector is on."""
    for rows in _visits(result).values():
        for i in set(rows[0].team):
            yield i, rows[0].scheduled_on


def _capacity(result: AssignmentResult, facts: _Facts) -> Iterator[Violation]:
    """Visits per inspector within the inspector's capacity for the plan."""
    load = Counter(i for i, _ in _team_days(result))
    for i, n in load.items():
        ins = facts.inspectors.get(i)
        if ins is not None and n > int(ins.capacity):
            yield Violation("capacity", i, f"{n} visits > capacity {int(ins.capacity)}")


def _daily_limit(result: AssignmentResult) -> Iterator[Violation]:
    """Visits per inspector and day within the plan's daily limit."""
    limit = result.settings.daily_limit
    for (i, day), n in Counter(_team_days(result)).items():
        if n > limit:
            yield Violation("daily_limit", f"{i}/{day}", f"{n} visits > daily limit {limit}")


def check_assignment(
    result: AssignmentResult,
    directory: Directory,
    draws: list[DrawInput] | None,
    calendar: WorkingCalendar | None = None,
) -> list[Violation]:
    """Every broken hard rule of ``result`` (empty list = lawful plan).

    With ``draws=None`` coverage (every drawn task planned once) is not checked.
    """
    calendar = calendar or WorkingCalendar(result.extra_holidays, result.extra_workdays)
    facts = _facts(directory, {a.uscc for a in result.assignments})
    return [
        *_coverage(result, draws),
        *_visit_rules(result, calendar),
        *(v for a in result.assignments for v in _row_rules(a, facts, result.settings)),
        *_capacity(result, facts),
        *_daily_limit(result),
    ]
