"""The matching entry points the CLI and the dashboard call.

``assign`` = ``plan`` + the checker + (when tasks are left) the diagnosis;
``swap_inspector`` applies a planner's manual change and re-checks the plan.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.directory import Directory
from scheduler.errors import InfeasiblePlanError, InvalidInputError, NotFoundError
from scheduler.matching.checker import CheckFailedError, check_assignment
from scheduler.matching.diagnosis import diagnose
from scheduler.matching.result import Assignment, AssignmentResult, AssignSettings
from scheduler.matching.solve import Progress, plan
from scheduler.matching.tasks import DrawInput

__all__ = ["assign", "swap_inspector"]


def _working_days(calendar: WorkingCalendar, start: date, end: date) -> int:
    """Working days in ``[start, end]``: the first thing to say when it is zero."""
    return sum(
        calendar.is_working_day(start + timedelta(days=i)) for i in range((end - start).days + 1)
    )


def assign(
    directory: Directory,
    draws: list[DrawInput],
    *,
    start: date,
    end: date,
    settings: AssignSettings | None = None,
    calendar: WorkingCalendar | None = None,
    rng: np.random.Generator | int | None = None,
    progress: Progress | None = None,
) -> AssignmentResult:
    """Match every drawn entity to a lawful random team and a working day.

    Raises ``InfeasiblePlanError`` (with a ``Diagnosis``) when a task cannot be
    staffed or dated, unless ``settings.allow_partial``; then the result lists
    the unassigned tasks (and ``solver['diagnosis']`` holds the diagnosis).
    Raises ``CheckFailedError`` if the plan breaks a rule (a bug).
    """
    if end < start:
        raise InvalidInputError(f"`end` must not be before `start`; got start={start}, end={end}.")
    settings = settings or AssignSettings()
    calendar = calendar if calendar is not None else WorkingCalendar()
    result = plan(
        directory,
        draws,
        start=start,
        end=end,
        settings=settings,
        calendar=calendar,
        rng=rng,
        progress=progress,
    )
    if result.unassigned:
        if progress:
            progress("diagnosing", 0, 1)
        diagnosis = diagnose(directory, draws, result, calendar=calendar)
        if not settings.allow_partial:
            working = _working_days(calendar, start, end)
            first = (
                f"0 working days between {start} and {end} (weekends and public holidays): "
                if working == 0
                else ""
            )
            raise InfeasiblePlanError(
                f"{first}{diagnosis.unassigned} task(s) cannot be staffed or dated under the "
                "rules; see the diagnosis",
                diagnosis,
            )
        result = replace(result, solver={**result.solver, "diagnosis": diagnosis})
    violations = check_assignment(result, directory, draws, calendar)
    if violations:
        raise CheckFailedError(violations)
    return result


def swap_inspector(
    result: AssignmentResult,
    uscc: str,
    old_id: str,
    new_id: str,
    directory: Directory,
    *,
    calendar: WorkingCalendar | None = None,
) -> AssignmentResult:
    """Replace ``old_id`` by ``new_id`` on the visit to ``uscc`` (keeping the lead role).

    The changed plan is re-checked; a swap that breaks a rule (wrong
    department, unqualified, conflicted, over capacity, ...) raises
    ``InvalidInputError`` naming the rules.
    """
    rows = [a for a in result.assignments if a.uscc == uscc]
    if not rows:
        raise NotFoundError(f"no planned visit to {uscc}")
    if not any(old_id in a.team for a in rows):
        raise NotFoundError(f"inspector {old_id} is not on the visit to {uscc}")
    if any(new_id in a.team for a in rows):
        raise InvalidInputError(f"inspector {new_id} is already on the visit to {uscc}")
    region = dict(
        zip(
            directory.inspectors["inspector_id"].astype(str),
            directory.inspectors["region_code"].astype(str),
            strict=True,
        )
    )
    if new_id not in region:
        raise InvalidInputError(f"unknown inspector {new_id!r}: not in the inspector directory")
    sub = {old_id: new_id}

    def swapped(a: Assignment) -> Assignment:
        if a.uscc != uscc:
            return a
        own = tuple(sub.get(i, i) for i in a.department_inspector_ids)
        return replace(
            a,
            lead_inspector_id=sub.get(a.lead_inspector_id, a.lead_inspector_id),
            member_inspector_ids=tuple(sub.get(i, i) for i in a.member_inspector_ids),
            department_inspector_ids=own,
            cross_region=any(region.get(i) != a.region_code for i in own),
        )

    changed = replace(result, assignments=tuple(swapped(a) for a in result.assignments))
    violations = check_assignment(changed, directory, None, calendar)
    if violations:
        raise InvalidInputError(
            "the swap breaks the rules:\n" + "\n".join(str(v) for v in violations)
        )
    return changed
