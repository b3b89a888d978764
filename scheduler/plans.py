"""Plans and recorded draws in the database (used by the CLI and the dashboard).

``create_plan`` stores a plan; ``run_plan_draw`` reads the directory from the
database, draws, and records the draw, its rows and reserves plus an audit
event in one transaction. A second draw of the same plan needs a reason; the
earlier draw stays, and the new one names it in ``supersedes``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, insert, select
from sqlmodel import Session

from scheduler import clock
from scheduler.db import record_event, session_scope
from scheduler.department_names import resolve_department
from scheduler.directory import Directory
from scheduler.draw import DrawParameters, DrawResult, run_draw
from scheduler.errors import InvalidInputError, NotFoundError
from scheduler.frame import FrameRules
from scheduler.models.plans import Draw, DrawnEntity, Plan, ReserveEntity
from scheduler.models.plans import Substitution as SubstitutionRow
from scheduler.policy import Policy
from scheduler.reserve import Substitution, next_reserve

__all__ = [
    "create_plan",
    "list_plans",
    "get_plan",
    "plan_parameters",
    "run_plan_draw",
    "list_draws",
    "draw_rows",
    "draw_reserves",
    "draw_receipt",
    "record_substitution",
]


def _col(model: type, name: str) -> Any:
    """A table column (typed for SQLAlchemy, unlike the SQLModel attribute)."""
    return model.__table__.c[name]  # type: ignore[attr-defined]


def _joined(values: tuple[str, ...] | list[str] | None) -> str:
    return ";".join(sorted(set(values or ())))


def _split(text: str) -> tuple[str, ...]:
    return tuple(v for v in (text or "").split(";") if v)


def create_plan(
    session: Session,
    *,
    department_code: str,
    policy: Policy,
    name: str = "",
    sectors: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    entity_types: tuple[str, ...] = (),
    joint_departments: tuple[str, ...] = (),
    start: date | None = None,
    end: date | None = None,
    repeat_window_months: int = 12,
    actor: str = "system",
) -> Plan:
    """Store a plan (validated again against the data when it is drawn) and audit it."""
    if start and end and end < start:
        raise InvalidInputError(f"`end` ({end}) is before `start` ({start}).")
    from scheduler.models.core import Department

    known = [
        (code, name) for code, name in session.execute(select(Department.code, Department.name))
    ]
    if not known:
        raise InvalidInputError("no departments yet; load the directory first (scheduler db load).")
    department_code = resolve_department(department_code, known)
    joint_departments = tuple(resolve_department(code, known) for code in joint_departments)
    if department_code in joint_departments:
        raise InvalidInputError(f"`joint` must not repeat the lead department {department_code!r}.")
    plan = Plan.model_validate(
        {
            "name": name,
            "department_code": department_code,
            "sectors": _joined(sectors),
            "regions": _joined(regions),
            "entity_types": _joined(entity_types),
            "joint_departments": _joined(joint_departments),
            "policy": policy.as_dict(),
            "repeat_window_months": repeat_window_months,
            "start": start,
            "end": end,
            "created_by": actor,
        }
    )
    session.add(plan)
    session.flush()
    record_event(
        session,
        "plan.created",
        f"plan:{plan.id}",
        {"department": department_code, **policy.as_dict()},
        actor,
    )
    return plan


def list_plans(session: Session) -> list[Plan]:
    return list(session.execute(select(Plan).order_by(_col(Plan, "id"))).scalars())


def get_plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(f"no plan with id {plan_id}")
    return plan


def plan_parameters(plan: Plan, *, on: date | None = None) -> DrawParameters:
    """The draw parameters of a plan on day ``on`` (default: the plan's start, else today)."""
    rules = FrameRules(
        department_code=plan.department_code,
        on=on or plan.start or clock.today(),
        regions=_split(plan.regions),
        sectors=_split(plan.sectors),
        entity_types=_split(plan.entity_types),
        repeat_window_months=plan.repeat_window_months,
    )
    return DrawParameters(rules=rules, policy=Policy.from_dict(plan.policy))


def _bulk(session: Session, model: type, frame: pd.DataFrame, draw_id: str) -> None:
    if frame.empty:
        return
    records = frame.assign(draw_id=draw_id).to_dict("records")
    for record in records:
        record["inclusion_prob"] = float(record["inclusion_prob"])
    session.execute(insert(model.__table__), records)  # type: ignore[attr-defined]


def run_plan_draw(
    engine: Engine,
    plan_id: int,
    seed: int,
    *,
    reason: str | None = None,
    actor: str = "system",
    on: date | None = None,
    directory: Directory | None = None,
    seed_source: dict[str, Any] | None = None,
) -> DrawResult:
    """Draw plan ``plan_id`` from the database's directory and record it immutably."""
    with Session(engine) as session:
        plan = get_plan(session, plan_id)
        parameters = plan_parameters(plan, on=on)
        earlier = (
            session.execute(
                select(_col(Draw, "draw_id"))
                .where(_col(Draw, "plan_id") == plan_id)
                .order_by(_col(Draw, "id").desc())
            )
            .scalars()
            .first()
        )
    if earlier and not (reason and reason.strip()):
        raise InvalidInputError(
            f"plan {plan_id} was already drawn ({earlier}); a re-draw needs --reason."
        )
    if directory is None:
        from scheduler.loader import directory_from_db

        directory = directory_from_db(engine)
    result = run_draw(directory, parameters, seed, seed_source=seed_source)
    receipt = result.receipt
    with session_scope(engine) as session:
        if session.execute(
            select(_col(Draw, "id")).where(_col(Draw, "draw_id") == result.draw_id)
        ).first():
            raise InvalidInputError(
                f"draw {result.draw_id} (same plan, data and seed) is already recorded."
            )
        row = Draw.model_validate(
            {
                "draw_id": result.draw_id,
                "plan_id": plan_id,
                "seed": str(seed),
                "algorithm_version": receipt["algorithm_version"],
                "frame_sha256": receipt["frame_sha256"],
                "frame_size": receipt["frame_size"],
                "sample_size": receipt["sample_size"],
                "supersedes": earlier,
                "reason": reason or "",
                "receipt": receipt,
                "created_by": actor,
            }
        )
        session.add(row)
        session.flush()
        _bulk(session, DrawnEntity, result.rows.drop(columns=["draw_id"]), result.draw_id)
        _bulk(session, ReserveEntity, result.reserves, result.draw_id)
        kind = "draw.redrawn" if earlier else "draw.created"
        details = {
            "plan_id": plan_id,
            "seed": str(seed),
            "sample_size": receipt["sample_size"],
            "frame_sha256": receipt["frame_sha256"],
            "supersedes": earlier,
            "reason": reason or "",
        }
        record_event(session, kind, result.draw_id, details, actor)
    return result


def list_draws(engine: Engine, plan_id: int | None = None) -> pd.DataFrame:
    """Recorded draws, newest first, with a derived ``superseded_by`` column."""
    table = Draw.__table__  # type: ignore[attr-defined]
    columns = [
        "draw_id",
        "plan_id",
        "seed",
        "sample_size",
        "frame_size",
        "supersedes",
        "reason",
        "created_at",
        "created_by",
    ]
    query = select(*(table.c[c] for c in columns)).order_by(table.c.id.desc())
    if plan_id is not None:
        query = query.where(table.c.plan_id == plan_id)
    with engine.connect() as connection:
        frame = pd.DataFrame([tuple(r) for r in connection.execute(query)], columns=columns)
    later = {s: d for d, s in zip(frame["draw_id"], frame["supersedes"], strict=True) if s}
    frame["superseded_by"] = pd.Series([later.get(d, "") for d in frame["draw_id"]], dtype=object)
    return frame


def _draw_row(session: Session, draw_id: str) -> Draw:
    found = session.execute(select(Draw).where(_col(Draw, "draw_id") == draw_id)).scalars().first()
    if found is None:
        raise NotFoundError(f"no recorded draw {draw_id!r}")
    return found


def _frame_of(
    engine: Engine, model: type, draw_id: str, columns: list[str], order: list[str]
) -> pd.DataFrame:
    table = model.__table__  # type: ignore[attr-defined]
    query = (
        select(*(table.c[c] for c in columns))
        .where(table.c.draw_id == draw_id)
        .order_by(*(table.c[c] for c in order))
    )
    with engine.connect() as connection:
        return pd.DataFrame([tuple(r) for r in connection.execute(query)], columns=columns)


def draw_reserves(engine: Engine, draw_id: str) -> pd.DataFrame:
    from scheduler.draw import RESERVE_COLUMNS

    return _frame_of(
        engine, ReserveEntity, draw_id, list(RESERVE_COLUMNS), ["stratum", "reserve_rank"]
    )


def _substitutions(engine: Engine, draw_id: str) -> list[Substitution]:
    rows = _frame_of(
        engine, SubstitutionRow, draw_id, ["uscc_out", "uscc_in", "stratum", "reason", "at"], ["at"]
    )
    return [
        Substitution(
            r.uscc_out,
            r.uscc_in,
            r.stratum,
            r.reason,
            pd.Timestamp(r.at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for r in rows.itertuples()
    ]


def draw_rows(engine: Engine, draw_id: str) -> pd.DataFrame:
    """The draw file of a recorded draw, substitutions applied (``DRAW_COLUMNS``)."""
    from scheduler.draw import DRAW_COLUMNS, format_prob
    from scheduler.reserve import apply_substitutions

    rows = _frame_of(engine, DrawnEntity, draw_id, list(DRAW_COLUMNS), ["uscc"])
    rows["inclusion_prob"] = format_prob(rows["inclusion_prob"].to_numpy())
    reserves = draw_reserves(engine, draw_id)
    reserves["inclusion_prob"] = format_prob(reserves["inclusion_prob"].to_numpy())
    return apply_substitutions(rows, reserves, _substitutions(engine, draw_id))


def draw_receipt(engine: Engine, draw_id: str) -> dict[str, Any]:
    """The stored receipt with the substitutions recorded since."""
    with Session(engine) as session:
        receipt = dict(_draw_row(session, draw_id).receipt)
    receipt["substitutions"] = [s.as_dict() for s in _substitutions(engine, draw_id)]
    return receipt


def record_substitution(
    engine: Engine, draw_id: str, uscc_out: str, reason: str, *, actor: str = "system"
) -> Substitution:
    """Replace ``uscc_out`` by the next reserve of its stratum; recorded and audited."""
    if not reason.strip():
        raise InvalidInputError("a substitution needs a reason (e.g. 已注销, 迁出, 无法联系).")
    rows = draw_rows(engine, draw_id)
    hit = rows.loc[rows["uscc"] == uscc_out]
    if hit.empty:
        raise InvalidInputError(f"{uscc_out} is not in draw {draw_id}.")
    stratum = str(hit["stratum"].iloc[0])
    used = {s.uscc_in for s in _substitutions(engine, draw_id)}
    reserve = next_reserve(draw_reserves(engine, draw_id), stratum, used)
    at = datetime.now(UTC)
    substitution = Substitution(
        uscc_out, str(reserve["uscc"]), stratum, reason, at.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    with session_scope(engine) as session:
        _draw_row(session, draw_id)
        session.add(
            SubstitutionRow(
                draw_id=draw_id,
                uscc_out=uscc_out,
                uscc_in=substitution.uscc_in,
                stratum=stratum,
                reason=reason,
                at=at,
                actor=actor,
            )
        )
        record_event(session, "draw.substituted", draw_id, substitution.as_dict(), actor)
    return substitution
