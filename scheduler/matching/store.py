"""Recording matching runs in the database (inside the caller's transaction).

Rows go in with SQLAlchemy Core executemany (50k rows in one statement), not
one ORM object per row; every run and every swap appends an audit event.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date

from sqlalchemy import Engine, Table, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from scheduler.data.formats import join_list, split_list
from scheduler.errors import ConflictError, InvalidInputError, NotFoundError
from scheduler.matching.io import result_meta
from scheduler.matching.result import Assignment, AssignmentResult, AssignSettings, UnassignedTask
from scheduler.matching.tasks import DrawInput, receipt_department
from scheduler.store.audit_chain import lock_for_write
from scheduler.store.engine import record_event
from scheduler.store.models.assignments import AssignmentRow, AssignmentRun, UnassignedRow
from scheduler.store.record_digest import run_digest

__all__ = [
    "LATEST",
    "record_run",
    "current_run",
    "load_run",
    "record_swap",
    "draws_from_db",
]

ROWS: Table = AssignmentRow.__table__  # type: ignore[attr-defined]
MISSING: Table = UnassignedRow.__table__  # type: ignore[attr-defined]


def _row_dicts(run_id: int, result: AssignmentResult) -> list[dict[str, object]]:
    return [
        {
            "run_id": run_id,
            "visit_id": a.visit_id,
            "draw_id": a.draw_id,
            "department_code": a.department_code,
            "uscc": a.uscc,
            "name": a.name,
            "region_code": a.region_code,
            "lead_inspector_id": a.lead_inspector_id,
            "member_inspector_ids": join_list(a.member_inspector_ids),
            "department_inspector_ids": join_list(a.department_inspector_ids),
            "scheduled_on": a.scheduled_on,
            "cross_region": a.cross_region,
            "items": join_list(a.items),
        }
        for a in result.assignments
    ]


LATEST = "latest"
"""``expected`` of ``record_run``: replace whatever run is current when recording."""


def current_run(session: Session, draw_ids: list[str] | str) -> AssignmentRun | None:
    """The run of exactly these draws that no later run supersedes, or ``None``."""
    key = draw_ids if isinstance(draw_ids, str) else join_list(sorted(draw_ids))
    table = AssignmentRun.__table__  # type: ignore[attr-defined]
    replaced = select(table.c.supersedes).where(
        (table.c.draw_ids == key) & table.c.supersedes.is_not(None)
    )
    return (
        session.execute(
            select(AssignmentRun)
            .where((col(AssignmentRun.draw_ids) == key) & col(AssignmentRun.id).not_in(replaced))
            .order_by(col(AssignmentRun.id).desc())
        )
        .scalars()
        .first()
    )


def _who(run: AssignmentRun) -> str:
    at = run.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"run {run.id} by {run.created_by} at {at}"


def record_run(
    session: Session,
    result: AssignmentResult,
    *,
    actor: str,
    reason: str | None = None,
    expected: int | None | str = LATEST,
) -> int:
    """Store a checked run and an ``assignment.run`` audit event; returns the run id.

    The runs of one set of draws form a chain: a run when one exists needs a
    ``reason`` and supersedes it. ``expected`` is the run the caller saw
    before computing (``None``: none); if another run was recorded since,
    nothing is stored (``ConflictError``), so racing runs resolve to one.
    """
    meta = result_meta(result)
    draw_ids = sorted(
        {a.draw_id for a in result.assignments} | {u.draw_id for u in result.unassigned}
    )
    key = join_list(draw_ids)
    lock_for_write(session)
    current = current_run(session, key)
    current_id = current.id if current is not None else None
    if expected != LATEST and current_id != expected:
        assert current is not None
        raise ConflictError(
            f"draw(s) {key} were staffed meanwhile: {_who(current)}; nothing recorded."
        )
    if current is not None and not (reason and reason.strip()):
        raise InvalidInputError(
            f"draw(s) {key} already have an assignment: {_who(current)}; "
            "a new run needs a reason and supersedes it."
        ).about("reason")
    run = AssignmentRun(
        draw_ids=key,
        start=result.start,
        end=result.end,
        seed=result.seed,
        complete=result.complete,
        settings=asdict(result.settings),
        solver=meta["solver"],
        supersedes=current_id,
        reason=reason or "",
        created_by=actor,
    )
    session.add(run)
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError(
            f"another run of draw(s) {key} was recorded at the same moment; nothing recorded."
        ) from None
    assert run.id is not None
    rows = _row_dicts(run.id, result)
    if rows:
        session.execute(insert(ROWS), rows)
    if result.unassigned:
        session.execute(
            insert(MISSING),
            [{"run_id": run.id, **asdict(u)} for u in result.unassigned],
        )
    record_event(
        session,
        "assignment.redone" if current_id is not None else "assignment.run",
        subject=f"run:{run.id}",
        actor=actor,
        details={
            "draw_ids": draw_ids,
            "start": meta["start"],
            "end": meta["end"],
            "seed": result.seed,
            "settings": meta["settings"],
            "solver": meta["solver"],
            "visits": len({a.visit_id for a in result.assignments}),
            "rows": len(rows),
            "unassigned": len(result.unassigned),
            "supersedes": current_id,
            "reason": reason or "",
        },
        digest=run_digest(session.connection(), run.id) or "",
    )
    return run.id


def load_run(session: Session, run_id: int) -> AssignmentResult:
    """A recorded run back as an ``AssignmentResult``."""
    run = session.get(AssignmentRun, run_id)
    if run is None:
        raise NotFoundError(f"no assignment run {run_id}")
    rows = (
        session.execute(select(ROWS).where(ROWS.c.run_id == run_id).order_by(ROWS.c.id))
        .mappings()
        .all()
    )
    assignments = tuple(
        Assignment(
            visit_id=r["visit_id"],
            draw_id=r["draw_id"],
            department_code=r["department_code"],
            uscc=r["uscc"],
            name=r["name"],
            region_code=r["region_code"],
            lead_inspector_id=r["lead_inspector_id"],
            member_inspector_ids=tuple(split_list(r["member_inspector_ids"])),
            department_inspector_ids=tuple(split_list(r["department_inspector_ids"])),
            scheduled_on=r["scheduled_on"]
            if isinstance(r["scheduled_on"], date)
            else date.fromisoformat(str(r["scheduled_on"])),
            cross_region=bool(r["cross_region"]),
            items=tuple(split_list(r["items"])),
        )
        for r in rows
    )
    missing = session.execute(select(MISSING).where(MISSING.c.run_id == run_id)).mappings().all()
    unassigned = tuple(
        UnassignedTask(
            **{
                k: m[k]
                for k in ("draw_id", "department_code", "uscc", "name", "region_code", "reason")
            }
        )
        for m in missing
    )
    return AssignmentResult(
        assignments=assignments,
        unassigned=unassigned,
        start=run.start,
        end=run.end,
        settings=AssignSettings(**run.settings),
        seed=run.seed,
        solver=dict(run.solver),
    )


def record_swap(
    session: Session,
    run_id: int,
    before: AssignmentResult,
    after: AssignmentResult,
    *,
    uscc: str,
    old_id: str,
    new_id: str,
    reason: str = "",
    actor: str,
) -> None:
    """Replace the run's rows for ``uscc`` by ``after``'s and audit the swap."""
    table = ROWS
    session.execute(delete(table).where((table.c.run_id == run_id) & (table.c.uscc == uscc)))
    changed = replace(after, assignments=tuple(a for a in after.assignments if a.uscc == uscc))
    session.execute(insert(table), _row_dicts(run_id, changed))
    old_team = next((a.team for a in before.assignments if a.uscc == uscc), ())
    record_event(
        session,
        "assignment.swap",
        subject=f"run:{run_id}/{uscc}",
        actor=actor,
        details={
            "uscc": uscc,
            "old_inspector_id": old_id,
            "new_inspector_id": new_id,
            "reason": reason,
            "team_before": list(old_team),
            "team_after": list(changed.assignments[0].team),
        },
        digest=run_digest(session.connection(), run_id) or "",
    )


def draws_from_db(
    engine: Engine, draw_ids: list[str]
) -> tuple[list[DrawInput], tuple[date | None, date | None]]:
    """Recorded draws (substitutions applied) and their plans' window (start, end; None if unset).

    Uses the draw area's ``scheduler.draw.plans.draw_rows`` / ``draw_receipt``.
    """
    from scheduler.draw.plans import draw_receipt, draw_rows
    from scheduler.store.models.plans import Draw, Plan

    draws: list[DrawInput] = []
    starts, ends = [], []
    for draw_id in draw_ids:
        receipt = draw_receipt(engine, draw_id)
        department = receipt_department(receipt)
        with Session(engine) as session:
            row = session.execute(select(Draw).where(col(Draw.draw_id) == draw_id)).scalars().one()
            plan = session.get(Plan, row.plan_id)
            if department is None and plan is not None:
                department = plan.department_code
            if plan is not None:
                starts.append(plan.start)
                ends.append(plan.end)
        if department is None:
            raise NotFoundError(f"draw {draw_id!r} has no department")
        draws.append(
            DrawInput(draw_id, department, draw_rows(engine, draw_id), source=f"draw {draw_id}")
        )
    start = min((d for d in starts if d is not None), default=None)
    end = max((d for d in ends if d is not None), default=None)
    return draws, (start, end)
