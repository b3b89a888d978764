"""The staffing user actions, one function each, shared by the CLI and the dashboard.

``assign_and_record`` staffs draws and records the run (the dashboard);
``assign_to_files`` staffs draws and writes the plan's files; when a database is
given the run is recorded first (one current run per set of draws, a second run
needs a reason) and the files are put in place only after the commit.
``swap_in_run`` changes one inspector of a recorded run, re-checked against every
rule, in the transaction that audits it; ``swap_in_file`` does the same to an
assignment file (audited when a database is given).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.directory import Directory
from scheduler.matching.result import AssignmentResult, AssignSettings
from scheduler.matching.tasks import DrawInput

__all__ = ["Staffed", "assign_and_record", "assign_to_files", "swap_in_run", "swap_in_file"]


@dataclass(frozen=True)
class Staffed:
    """An assignment done: the result, its recorded run (if recorded) and the files written."""

    result: AssignmentResult
    run_id: int | None
    written: list[Path]


def _current_run_id(engine: Engine, draw_ids: list[str]) -> int | None:
    """The run of these draws recorded now (the one a new run would replace), if any."""
    from scheduler.matching.store import current_run

    with Session(engine) as session:
        found = current_run(session, sorted(set(draw_ids)))
        return found.id if found is not None else None


def _record(
    engine: Engine, result: AssignmentResult, expected: int | None, actor: str, reason: str | None
) -> int:
    from scheduler.matching.store import record_run
    from scheduler.store.engine import session_scope

    with session_scope(engine) as session:
        return record_run(session, result, actor=actor, reason=reason, expected=expected)


def assign_and_record(
    engine: Engine,
    directory: Directory,
    draws: list[DrawInput],
    *,
    start: date,
    end: date,
    settings: AssignSettings,
    calendar: WorkingCalendar,
    seed: int,
    actor: str,
    reason: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Staffed:
    """Staff ``draws`` and record the run; refused if another run was recorded meanwhile."""
    from scheduler.matching.api import assign

    expected = _current_run_id(engine, [d.draw_id for d in draws])
    result = assign(
        directory,
        draws,
        start=start,
        end=end,
        settings=settings,
        calendar=calendar,
        rng=seed,
        progress=progress,
    )
    return Staffed(result, _record(engine, result, expected, actor, reason), [])


def assign_to_files(
    directory: Directory,
    draws: list[DrawInput],
    out: Path,
    *,
    start: date,
    end: date,
    settings: AssignSettings,
    calendar: WorkingCalendar,
    seed: int,
    engine: Engine | None = None,
    actor: str = "",
    reason: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Staffed:
    """Staff ``draws`` and write ``out`` (plus its unassigned list and metadata).

    With ``engine`` the run is recorded, refusing if another run of the same
    draws was recorded while this one was computed; nothing is written then.
    """
    from scheduler.data.atomic_files import Staging
    from scheduler.matching.api import assign
    from scheduler.matching.io import assignment_outputs

    expected = None
    if engine is not None:
        from scheduler.store.engine import init_db

        init_db(engine)
        expected = _current_run_id(engine, [d.draw_id for d in draws])
    result = assign(
        directory,
        draws,
        start=start,
        end=end,
        settings=settings,
        calendar=calendar,
        rng=seed,
        progress=progress,
    )
    run_id = None
    with Staging() as staging:
        for target, writer in assignment_outputs(result, out):
            staging.write(target, writer)
        if engine is not None:
            run_id = _record(engine, result, expected, actor, reason)
        written = staging.publish()
    return Staffed(result, run_id, written)


def swap_in_run(
    engine: Engine,
    run_id: int,
    uscc: str,
    old_id: str,
    new_id: str,
    directory: Directory,
    *,
    calendar: WorkingCalendar | None = None,
    reason: str = "",
    actor: str,
) -> AssignmentResult:
    """Swap ``old_id`` for ``new_id`` on the visit to ``uscc`` of a recorded run, audited."""
    from scheduler.matching.api import swap_inspector
    from scheduler.matching.store import load_run, record_swap
    from scheduler.store.engine import session_scope

    with session_scope(engine) as session:
        before = load_run(session, run_id)
        after = swap_inspector(before, uscc, old_id, new_id, directory, calendar=calendar)
        record_swap(
            session,
            run_id,
            before,
            after,
            uscc=uscc,
            old_id=old_id,
            new_id=new_id,
            reason=reason,
            actor=actor,
        )
    return after


def swap_in_file(
    plan: Path,
    uscc: str,
    old_id: str,
    new_id: str,
    directory: Directory,
    *,
    out: Path | None = None,
    calendar: WorkingCalendar | None = None,
    engine: Engine | None = None,
    reason: str = "",
    actor: str = "",
) -> list[Path]:
    """Swap in an assignment file (written to ``out``, default in place); audited if ``engine``."""
    from scheduler.matching.api import swap_inspector
    from scheduler.matching.io import read_assignment, write_assignment

    before = read_assignment(plan)
    after = swap_inspector(before, uscc, old_id, new_id, directory, calendar=calendar)
    written = write_assignment(after, out or plan)
    if engine is not None:
        from scheduler.store.engine import init_db, record_event, session_scope

        init_db(engine)
        with session_scope(engine) as session:
            record_event(
                session,
                "assignment.swap",
                subject=f"{plan.name}/{uscc}",
                details={
                    "uscc": uscc,
                    "old_inspector_id": old_id,
                    "new_inspector_id": new_id,
                    "reason": reason,
                    "plan": str(plan),
                },
                actor=actor,
            )
    return written
