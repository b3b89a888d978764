"""A solver-independent checker: does a plan obey every hard rule?

It re-reads the directory and the draws itself (no code shared with the
solver's eligibility or flow modules, on purpose: a bug there must not hide a
bug here) and returns every violation found. ``assign`` runs it before
returning a result; the CLI never writes a plan it rejects.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import pandas as pd

from scheduler.calendar import WorkingCalendar
from scheduler.directory import Directory, split_list
from scheduler.errors import SchedulerError
from scheduler.matching.result import AssignmentResult
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


def _col(frame, name: str) -> list:
    """A column as a Python list (iterating Arrow-backed strings directly is slow)."""
    return frame[name].astype(str).to_numpy(dtype=object).tolist()


def _rules(directory: Directory) -> tuple[dict, dict, set, dict]:
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
    last: dict[tuple[str, str], tuple] = {}
    for r in directory.history.itertuples(index=False):
        key = (str(r.department_code), str(r.uscc))
        if key not in last or r.inspected_on > last[key][0]:
            last[key] = (r.inspected_on, set(split_list(r.inspector_ids)))
    return inspectors, dept_sectors, conflicts, {k: v[1] for k, v in last.items()}


def check_assignment(
    result: AssignmentResult,
    directory: Directory,
    draws: list[DrawInput] | None,
    calendar: WorkingCalendar | None = None,
) -> list[Violation]:
    """Every broken hard rule of ``result`` (empty list = lawful plan).

    With ``draws=None`` coverage (every drawn task planned once) is not checked.
    """
    s = result.settings
    calendar = calendar or WorkingCalendar(result.extra_holidays, result.extra_workdays)
    inspectors, dept_sectors, conflicts, last_team = _rules(directory)
    wanted = {a.uscc for a in result.assignments}
    ent = directory.entities
    found = pd.Index(ent["uscc"].astype(str)).get_indexer(sorted(wanted))
    ent = ent.iloc[found[found >= 0]]
    entity_sectors = {
        u: set(split_list(x)) for u, x in zip(_col(ent, "uscc"), _col(ent, "sectors"), strict=True)
    }
    entity_region = dict(zip(_col(ent, "uscc"), _col(ent, "region_code"), strict=True))
    out: list[Violation] = []
    # Coverage: each drawn (draw, department, uscc) planned once or listed as unassigned.
    drawn: set[tuple[str, str, str]] = set()
    for d in draws or []:
        drawn.update(
            (i, d.department_code, u)
            for i, u in zip(_col(d.frame, "draw_id"), _col(d.frame, "uscc"), strict=True)
        )
    planned = Counter((a.draw_id, a.department_code, a.uscc) for a in result.assignments)
    planned.update((u.draw_id, u.department_code, u.uscc) for u in result.unassigned)
    for key in drawn - set(planned) if draws is not None else ():
        out.append(
            Violation("coverage", "/".join(key), "drawn but neither planned nor listed unassigned")
        )
    for key, n in planned.items():
        if draws is not None and key not in drawn:
            out.append(Violation("coverage", "/".join(key), "planned but not drawn"))
        elif n > 1:
            out.append(Violation("coverage", "/".join(key), f"planned {n} times"))
    if result.unassigned and not s.allow_partial:
        out.append(
            Violation(
                "coverage",
                "plan",
                f"{len(result.unassigned)} tasks unassigned without allow_partial",
            )
        )
    # Visits: one per entity, consistent across its rows.
    visits: dict[str, list] = defaultdict(list)
    for a in result.assignments:
        visits[a.visit_id].append(a)
    working = {d: calendar.is_working_day(d) for d in {a.scheduled_on for a in result.assignments}}
    visit_of_uscc: dict[str, str] = {}
    load: Counter[str] = Counter()
    per_day: Counter[tuple[str, object]] = Counter()
    for vid, rows in visits.items():
        first = rows[0]
        if any(
            (a.uscc, a.lead_inspector_id, a.member_inspector_ids, a.scheduled_on)
            != (first.uscc, first.lead_inspector_id, first.member_inspector_ids, first.scheduled_on)
            for a in rows
        ):
            out.append(
                Violation("visit", vid, "rows of one visit disagree on entity, team or date")
            )
        if visit_of_uscc.setdefault(first.uscc, vid) != vid:
            out.append(
                Violation(
                    "visit",
                    first.uscc,
                    "entity visited twice in one plan (joint visits must merge)",
                )
            )
        team = first.team
        if len(set(team)) != len(team):
            out.append(Violation("team", vid, f"an inspector appears twice: {team}"))
        if len(team) < s.team_size:
            out.append(Violation("team", vid, f"{len(team)} inspectors < team size {s.team_size}"))
        depts = {a.department_code for a in rows}
        need = max(1, math.ceil(s.team_size / len(depts)))
        supplied = set()
        for dept in depts:
            own = {i for a in rows if a.department_code == dept for i in a.department_inspector_ids}
            supplied |= own
            if len(own) < need:
                out.append(
                    Violation(
                        "team", vid, f"department {dept} supplies {len(own)} < {need} inspectors"
                    )
                )
        if supplied != set(team):
            out.append(Violation("team", vid, "team differs from the departments' inspectors"))
        day = first.scheduled_on
        if not (result.start <= day <= result.end):
            out.append(Violation("calendar", vid, f"{day} outside [{result.start}, {result.end}]"))
        if not working[day]:
            out.append(Violation("calendar", vid, f"{day} is not a working day"))
        for i in set(team):
            load[i] += 1
            per_day[(i, day)] += 1
    # Per row: every member lawful for this department's items.
    for a in result.assignments:
        sectors = entity_sectors.get(a.uscc, set()) & dept_sectors.get(a.department_code, set())
        region = entity_region.get(a.uscc)
        if region != a.region_code:
            out.append(Violation("entity", a.uscc, f"region {a.region_code} != directory {region}"))
        crossed = False
        for i in a.department_inspector_ids:
            who = f"{a.visit_id}/{i}"
            ins = inspectors.get(i)
            if ins is None:
                out.append(Violation("inspector", who, "unknown inspector"))
                continue
            if str(ins.department_code) != a.department_code:
                out.append(
                    Violation(
                        "department",
                        who,
                        f"inspector of {ins.department_code}, task of {a.department_code}",
                    )
                )
            if not bool(ins.active):
                out.append(Violation("active", who, "inspector is not active"))
            quals = ins.qualifications
            ok = not sectors or (
                sectors <= quals if s.qualification == "all" else bool(sectors & quals)
            )
            if not ok:
                out.append(Violation("qualification", who, f"not qualified for {sorted(sectors)}"))
            if (i, a.uscc) in conflicts:
                out.append(Violation("conflict", who, "listed conflict of interest (回避)"))
            if i in last_team.get((a.department_code, a.uscc), set()):
                out.append(Violation("rotation", who, "was on this entity's last inspection team"))
            crossed |= str(ins.region_code) != a.region_code
        if crossed != a.cross_region:
            out.append(
                Violation(
                    "cross_region", a.visit_id, f"flag {a.cross_region} but team crosses: {crossed}"
                )
            )
        if crossed and not s.allow_cross_region:
            out.append(
                Violation(
                    "cross_region",
                    a.visit_id,
                    "cross-division member but cross-division not allowed",
                )
            )
    for i, n in load.items():
        ins = inspectors.get(i)
        if ins is not None and n > int(ins.capacity):
            out.append(Violation("capacity", i, f"{n} visits > capacity {int(ins.capacity)}"))
    for (i, day), n in per_day.items():
        if n > s.daily_limit:
            out.append(
                Violation("daily_limit", f"{i}/{day}", f"{n} visits > daily limit {s.daily_limit}")
            )
    return out
