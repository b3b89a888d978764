"""Credit commitments (信用承诺): checks in a plan, broken commitments, due lists.

潍信用办〔2021〕6号 makes a commitment given for a government service "the
basis of 事中、事后监管": a plan can verify every commitment due by a day
(``pending_due``, used by ``scheduler.draw.frame``); a visit that finds it false or
unkept marks it broken (``mark_broken``), which puts the entity on the
不再适用信用承诺制 list (``revoked_list``), writes an audit event and, if the
lifecycle rules say so (``LifecycleRules.broken_commitment``, off by
default), moves its tier through ``scheduler.publication.tier_changes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import Engine, select
from sqlmodel import Session

from scheduler.errors import InvalidInputError, NotFoundError
from scheduler.store.engine import record_event

__all__ = [
    "BROKEN_KINDS",
    "BrokenCommitment",
    "mark_broken",
    "revoked_list",
    "due_and_overdue",
    "REVOKED_COLUMNS",
    "REVOKED_TITLE",
    "REVOKED_ZH",
]

BROKEN_KINDS = ("不实承诺", "未履约")
"""Why a commitment is broken: a false commitment, or one not kept by its due day."""
REVOKED_COLUMNS = ("uscc", "name", "department_code", "item", "committed_on", "due_on")
REVOKED_TITLE = "不再适用信用承诺制名单"
REVOKED_ZH = {
    "uscc": "统一社会信用代码",
    "name": "名称",
    "department_code": "承诺受理部门",
    "item": "承诺事项",
    "committed_on": "承诺日期",
    "due_on": "履约期限",
}
"""The export's Chinese headers (the same words as the commitments file's aliases)."""


@dataclass(frozen=True)
class BrokenCommitment:
    """What ``mark_broken`` did."""

    commitment_id: int
    uscc: str
    department_code: str
    kind: str
    tier_before: str | None
    tier_after: str | None


def mark_broken(
    session: Session,
    *,
    uscc: str,
    department_code: str,
    item: str,
    kind: Literal["不实承诺", "未履约"],
    on: date,
    rules: object | None = None,
    scheme_name: str | None = None,
    actor: str = "system",
    commitment_id: int | None = None,
    draw_id: str | None = None,
) -> BrokenCommitment:
    """Mark the entity's commitment ``item`` to the department broken, found on day ``on``.

    Every commitment with that item (its latest if several) must exist and not
    be broken already. The entity then appears on ``revoked_list``; the audit
    event ``commitment.broken`` is written in the same transaction; the tier
    moves only if ``rules.broken_commitment`` (``LifecycleRules``) says so.
    ``commitment_id`` picks one row of that item (a result on a 承诺核查 visit:
    the pending one the draw checked); ``draw_id`` is recorded in the event.
    """
    from scheduler.publication.rules import LifecycleRules, tier_after_broken_commitment
    from scheduler.store.models.core import Commitment

    if kind not in BROKEN_KINDS:
        raise InvalidInputError(f"`kind` must be one of {', '.join(BROKEN_KINDS)}; got {kind!r}.")
    rows = (
        session.execute(
            select(Commitment)
            .where(
                Commitment.uscc == uscc,  # type: ignore[arg-type]
                Commitment.department_code == department_code,  # type: ignore[arg-type]
                Commitment.item == item,  # type: ignore[arg-type]
                *(() if commitment_id is None else (Commitment.id == commitment_id,)),
            )
            .order_by(Commitment.committed_on.desc())  # type: ignore[attr-defined]
        )
        .scalars()
        .all()
    )
    if not rows:
        raise NotFoundError(f"no commitment {item!r} of {uscc} to {department_code}")
    commitment = rows[0]
    if commitment.status == "broken":
        raise InvalidInputError(f"commitment {item!r} of {uscc} is already marked broken")
    if on < commitment.committed_on:
        raise InvalidInputError(
            f"`on` ({on}) is before the commitment was made ({commitment.committed_on})"
        )
    commitment.status = "broken"
    session.add(commitment)
    session.flush()
    lifecycle = rules if isinstance(rules, LifecycleRules) else LifecycleRules()
    before = after = None
    if lifecycle.broken_commitment != "none":
        from scheduler.data.calendar import WorkingCalendar
        from scheduler.data.reference import tier_scheme
        from scheduler.publication.tier_changes import change_tier, current_tier

        scheme = tier_scheme(scheme_name)
        before = current_tier(session, uscc, department_code, on=on, scheme=scheme)
        after = tier_after_broken_commitment(before, scheme, lifecycle)
        if after != before:
            due = WorkingCalendar().add_working_days(on, lifecycle.rating_report_days)
            change_tier(session, uscc, department_code, before, after, "commitment", on, due)
    assert commitment.id is not None
    record_event(
        session,
        "commitment.broken",
        uscc,
        {
            "id": commitment.id,
            "department": department_code,
            "item": item,
            "kind": kind,
            "on": on.isoformat(),
            "tier_before": before,
            "tier_after": after,
            **({"draw_id": draw_id} if draw_id else {}),
        },
        actor,
    )
    return BrokenCommitment(commitment.id, uscc, department_code, kind, before, after)


def revoked_list(engine: Engine) -> pd.DataFrame:
    """不再适用信用承诺制: every broken commitment with the entity's name, by USCC.

    An entity on it has lost the commitment route with that department.
    """
    from scheduler.store.models.core import Commitment, Entity

    c, e = Commitment.__table__, Entity.__table__  # type: ignore[attr-defined]
    query = (
        select(c.c.uscc, e.c.name, c.c.department_code, c.c.item, c.c.committed_on, c.c.due_on)
        .join(e, e.c.uscc == c.c.uscc)
        .where(c.c.status == "broken")
        .order_by(c.c.uscc, c.c.department_code, c.c.item)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(REVOKED_COLUMNS))


def due_and_overdue(commitments: pd.DataFrame, *, on: date, horizon_days: int = 30) -> pd.DataFrame:
    """Per department: pending commitments due within ``horizon_days`` of ``on``, and overdue.

    Overdue = pending with a due day before ``on``; due = pending, due on
    ``on`` or in the next ``horizon_days`` days. Columns department_code, due,
    overdue, broken; departments with none of them are left out.
    """
    columns = ["department_code", "due", "overdue", "broken"]
    if commitments.empty:
        return pd.DataFrame(columns=columns)
    day = pd.Timestamp(on)
    due_on = pd.to_datetime(commitments["due_on"])
    pending = commitments["status"] == "pending"
    flags = pd.DataFrame(
        {
            "department_code": commitments["department_code"].astype(str),
            "due": pending & (due_on >= day) & (due_on <= day + pd.Timedelta(days=horizon_days)),
            "overdue": pending & (due_on < day),
            "broken": commitments["status"] == "broken",
        }
    )
    table = flags.groupby("department_code")[columns[1:]].sum().astype(int).reset_index()
    return table[table[columns[1:]].sum(axis=1) > 0].reset_index(drop=True)
