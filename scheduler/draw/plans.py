"""Plans and recorded draws in the database (used by the CLI and the dashboard).

``create_plan`` stores a plan; ``run_plan_draw`` reads the directory from the
database, draws, and records the draw, its rows and reserves plus an audit
event and the canonical frame snapshot (``scheduler.draw.snapshot``) in one
transaction. A second draw of the same plan needs a reason; the
earlier draw stays, and the new one names it in ``supersedes``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from scheduler import clock
from scheduler.data.department_names import resolve_department
from scheduler.data.directory import Directory
from scheduler.data.formats import join_list, split_list
from scheduler.draw.frame import JOINT_TIER_RULES, FrameRules, SamplingFrame
from scheduler.draw.plan_months import plan_tier_months
from scheduler.draw.policy import Policy
from scheduler.draw.receipt import canonical_frame_bytes
from scheduler.draw.reserve import Substitution, next_reserve
from scheduler.draw.run import DrawParameters, DrawResult, draw_from_frame, run_draw
from scheduler.draw.snapshot import store_snapshot
from scheduler.errors import ConflictError, InvalidInputError, NotFoundError
from scheduler.store.audit_chain import lock_for_write
from scheduler.store.engine import record_event, session_scope
from scheduler.store.models.plans import Draw, DrawnEntity, Plan, ReserveEntity
from scheduler.store.models.plans import Substitution as SubstitutionRow
from scheduler.store.record_digest import draw_digest, substitutions_digest

__all__ = [
    "create_plan",
    "list_plans",
    "get_plan",
    "plan_parameters",
    "run_plan_draw",
    "built_from",
    "list_draws",
    "draw_rows",
    "draw_reserves",
    "draw_receipt",
    "record_substitution",
    "current_draw",
]


def _col(model: type, name: str) -> Any:
    """A table column (typed for SQLAlchemy, unlike the SQLModel attribute)."""
    return model.__table__.c[name]  # type: ignore[attr-defined]


def _joined(values: tuple[str, ...] | list[str] | None) -> str:
    return join_list(sorted(set(values or ())))


def _check_codes(
    session: Session,
    department_code: str,
    sectors: tuple[str, ...],
    regions: tuple[str, ...],
    entity_types: tuple[str, ...],
) -> None:
    """Refuse codes the stored directory does not know, naming each (the rule of ``frame``).

    Checked when the plan is stored, not only when it is drawn: a plan that
    can never be drawn must not wait in the database for a draw day.
    """
    from scheduler.data.formats import ENTITY_TYPES
    from scheduler.store.models.core import Region, Sector

    problems: list[str] = []
    if sectors:
        rows = session.execute(
            select(_col(Sector, "code")).where(_col(Sector, "department_code") == department_code)
        )
        own = sorted(str(c) for c in rows.scalars())
        problems += [
            f"sector {c!r} is not supervised by {department_code} (its sectors: {', '.join(own)})"
            for c in sectors
            if c not in own
        ]
    if regions:
        known = set(session.execute(select(_col(Region, "code"))).scalars())
        problems += [f"unknown region {c!r}" for c in regions if c not in known]
    problems += [
        f"unknown entity type {t!r}; known: {', '.join(ENTITY_TYPES)}"
        for t in entity_types
        if t not in ENTITY_TYPES
    ]
    if problems:
        raise InvalidInputError("; ".join(problems))


def _check_joint_tier_rule(rule: str, joint_departments: tuple[str, ...]) -> None:
    """Refuse an unknown rule, and a rule other than the default without joint departments
    (it would be stored and shown, yet change nothing)."""
    if rule not in JOINT_TIER_RULES:
        raise InvalidInputError(
            f"`joint_tier_rule` must be one of {', '.join(JOINT_TIER_RULES)}; got {rule!r}."
        ).about("joint_tier_rule")
    if rule != "least_favourable" and not joint_departments:
        raise InvalidInputError(
            f"`joint_tier_rule` {rule!r} needs joint departments (`joint`); "
            "a plan of one department draws with its own tiers."
        ).about("joint_tier_rule")


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
    joint_tier_rule: str = "least_favourable",
    start: date | None = None,
    end: date | None = None,
    repeat_window_months: int = 12,
    actor: str,
    verify_commitments: bool = False,
    tier_months: Mapping[str, int] | None = None,
) -> Plan:
    """Store a plan (validated again against the data when it is drawn) and audit it.

    ``tier_months``: repeat control by tier the plan's draws apply; ``None`` =
    the policy's preset's ``min_months`` (``plan_months.plan_tier_months``), ``{}`` =
    the single ``repeat_window_months``. ``joint_tier_rule``: an entity's tier in the
    joint frame (``JOINT_TIER_RULES``); only a plan with joint departments may change it.
    """
    months = plan_tier_months(policy, tier_months)
    _check_joint_tier_rule(joint_tier_rule, joint_departments)
    if start and end and end < start:
        raise InvalidInputError(f"`end` ({end}) is before `start` ({start}).")
    from scheduler.store.models.core import Department

    known = [
        (code, name)
        for code, name in session.execute(
            select(_col(Department, "code"), _col(Department, "name"))
        )
    ]
    if not known:
        raise InvalidInputError("no departments yet; load the directory first (scheduler db load).")
    department_code = resolve_department(department_code, known)
    joint_departments = tuple(resolve_department(code, known) for code in joint_departments)
    if department_code in joint_departments:
        raise InvalidInputError(f"`joint` must not repeat the lead department {department_code!r}.")
    _check_codes(session, department_code, sectors, regions, entity_types)
    plan = Plan.model_validate(
        {
            "name": name,
            "department_code": department_code,
            "sectors": _joined(sectors),
            "regions": _joined(regions),
            "entity_types": _joined(entity_types),
            "joint_departments": _joined(joint_departments),
            "joint_tier_rule": joint_tier_rule,
            "policy": policy.as_dict(),
            "repeat_window_months": repeat_window_months,
            "tier_months": months,
            "verify_commitments": verify_commitments,
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
        {
            "department": department_code,
            **policy.as_dict(),
            **({"tier_months": months} if months else {}),
            **({"verify_commitments": True} if verify_commitments else {}),
            **({"joint_tier_rule": joint_tier_rule} if joint_departments else {}),
        },
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
        regions=tuple(split_list(plan.regions)),
        sectors=tuple(split_list(plan.sectors)),
        entity_types=tuple(split_list(plan.entity_types)),
        repeat_window_months=plan.repeat_window_months,
        tier_months=tuple(sorted((str(t), int(m)) for t, m in (plan.tier_months or {}).items())),
        joint_departments=tuple(sorted(split_list(plan.joint_departments))),
        joint_tier_rule=plan.joint_tier_rule,
    )
    if plan.verify_commitments:  # 承诺核查 covers what falls due within the plan's window
        rules = replace(rules, verify_commitments=plan.end or rules.on)
    return DrawParameters(rules=rules, policy=Policy.from_dict(plan.policy))


def _bulk(session: Session, model: type, frame: pd.DataFrame, draw_id: str) -> None:
    if frame.empty:
        return
    # column by column (``tolist`` gives the same Python values as ``to_dict``, at a
    # fraction of its per-cell cost)
    columns = {name: frame[name].tolist() for name in frame.columns}
    columns["draw_id"] = [draw_id] * len(frame)
    columns["inclusion_prob"] = [float(p) for p in columns["inclusion_prob"]]
    records = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    session.execute(insert(model.__table__), records)  # type: ignore[attr-defined]


def _current_draw(session: Session, plan_id: int) -> Draw | None:
    """The plan's draw that no later draw supersedes (the end of its chain)."""
    table = Draw.__table__  # type: ignore[attr-defined]
    replaced = select(table.c.supersedes).where(
        (table.c.plan_id == plan_id) & table.c.supersedes.is_not(None)
    )
    return (
        session.execute(
            select(Draw)
            .where((_col(Draw, "plan_id") == plan_id) & _col(Draw, "draw_id").not_in(replaced))
            .order_by(_col(Draw, "id").desc())
        )
        .scalars()
        .first()
    )


def _who(draw: Draw) -> str:
    at = pd.Timestamp(draw.created_at).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{draw.draw_id} drawn by {draw.created_by} at {at}"


def _conflict(session: Session, plan_id: int, expected: str | None, draw_id: str) -> None:
    """Refuse when the plan's chain moved since it was read, or the same draw exists."""
    same = session.execute(select(Draw).where(_col(Draw, "draw_id") == draw_id)).scalars().first()
    if same is not None:
        raise ConflictError(
            f"draw {draw_id} (same plan, data and seed) is already recorded: {_who(same)}; "
            "nothing recorded."
        )
    current = _current_draw(session, plan_id)
    now = current.draw_id if current else None
    if now != expected:
        assert current is not None
        raise ConflictError(
            f"plan {plan_id} was drawn meanwhile: {_who(current)}; nothing recorded."
        )


def run_plan_draw(
    engine: Engine,
    plan_id: int,
    seed: int,
    *,
    actor: str,
    reason: str | None = None,
    on: date | None = None,
    directory: Directory | None = None,
    seed_source: dict[str, Any] | None = None,
    before_record: Callable[[DrawResult], None] | None = None,
    frame: SamplingFrame | None = None,
) -> DrawResult:
    """Draw plan ``plan_id`` from the database's directory and record it immutably.

    ``frame``: the plan's frame as already built (the dashboard's preview of the
    same rules and directory version); used only when it was built from exactly
    the plan's rules, else the frame is built again. The draw is the same either
    way: ``run_draw`` is ``build_frame`` then ``draw_from_frame``.

    The record is one transaction that holds the audit chain's lock, checks
    that the plan's current draw is still the one the draw replaces, inserts
    and audits; the constraints on ``Draw`` refuse a second first draw or a
    fork even without the lock. ``before_record(result)`` runs before that
    transaction (the CLI writes its output files there, so a failed write
    records nothing).
    """
    with Session(engine) as session:
        plan = get_plan(session, plan_id)
        parameters = plan_parameters(plan, on=on)
        current = _current_draw(session, plan_id)
        earlier = current.draw_id if current else None
        if current is not None and not (reason and reason.strip()):
            raise InvalidInputError(
                f"plan {plan_id} was already drawn: {_who(current)}; "
                "a re-draw needs a reason and supersedes it."
            ).about("reason")
    if frame is not None and built_from(frame, parameters.rules):
        result = draw_from_frame(frame, parameters, seed, seed_source=seed_source)
    else:
        if directory is None:  # only the rows the frame can hold leave the database
            from scheduler.draw.db_scope import frame_directory

            directory = frame_directory(engine, parameters.rules)
        result = run_draw(directory, parameters, seed, seed_source=seed_source)
    if before_record is not None:
        before_record(result)
    try:
        _record_draw(engine, plan_id, seed, result, earlier, reason or "", actor)
    except IntegrityError:
        with Session(engine) as session:
            _conflict(session, plan_id, earlier, result.draw_id)
        raise
    return result


def built_from(frame: SamplingFrame, rules: FrameRules) -> bool:
    """Whether ``build_frame`` gave ``frame`` for ``rules`` (it only adds the commitment checks
    it resolved from the data, so the rules must match in everything else)."""
    return frame.rules == replace(rules, commitment_checks=frame.rules.commitment_checks)


def _record_draw(
    engine: Engine,
    plan_id: int,
    seed: int,
    result: DrawResult,
    earlier: str | None,
    reason: str,
    actor: str,
) -> None:
    receipt = result.receipt
    with session_scope(engine) as session:
        lock_for_write(session)
        _conflict(session, plan_id, earlier, result.draw_id)
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
                "reason": reason,
                "receipt": receipt,
                "created_by": actor,
            }
        )
        session.add(row)
        session.flush()
        _bulk(session, DrawnEntity, result.rows.drop(columns=["draw_id"]), result.draw_id)
        _bulk(session, ReserveEntity, result.reserves, result.draw_id)
        store_snapshot(
            session,
            receipt["frame_sha256"],
            canonical_frame_bytes(result.frame),
            receipt["frame_size"],
        )
        kind = "draw.redrawn" if earlier else "draw.created"
        details = {
            "plan_id": plan_id,
            "seed": str(seed),
            "sample_size": receipt["sample_size"],
            "frame_sha256": receipt["frame_sha256"],
            "supersedes": earlier,
            "reason": reason,
        }
        digest = draw_digest(session.connection(), result.draw_id)
        record_event(session, kind, result.draw_id, details, actor, digest=digest or "")


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
    query = select(Draw).where(_col(Draw, "draw_id") == draw_id)
    found: Draw | None = session.execute(query).scalars().first()
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
    from scheduler.draw.run import RESERVE_COLUMNS

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
    from scheduler.draw.reserve import apply_substitutions
    from scheduler.draw.run import DRAW_COLUMNS, format_prob

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
    engine: Engine, draw_id: str, uscc_out: str, reason: str, *, actor: str
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
        session.flush()
        digest = substitutions_digest(session.connection(), draw_id)
        record_event(
            session, "draw.substituted", draw_id, substitution.as_dict(), actor, digest=digest
        )
    return substitution


def current_draw(engine: Engine, plan_id: int) -> str | None:
    """The ``draw_id`` at the end of the plan's chain of draws, or ``None`` if never drawn."""
    with Session(engine) as session:
        found = _current_draw(session, plan_id)
        return found.draw_id if found else None
