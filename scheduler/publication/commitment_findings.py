"""Results that find a credit commitment false or unkept (承诺核查的结论).

A results file says it in the optional column ``commitment_breach`` (承诺核查结论):
``不实承诺`` (the commitment was false) or ``未履约`` (not kept by its due day);
blank for every other visit. The row must belong to a 承诺核查 visit: its
``draw_id`` names a recorded draw whose receipt lists the entity among its
``commitment_checks``, and its department is that draw's (the commitment was
made to it). The commitment is the entity's pending one to the department due
by the draw's ``verify_commitments`` day; ``commitment_item`` (承诺事项) names it
when there are several. ``import_results`` checks every such row with the
others (file, row, column, reason, all at once) and marks the commitments
broken in the same transaction as the results (``commitments.mark_broken``:
audit event, 不再适用信用承诺制 list, the lifecycle rule when enabled).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, cast

from sqlalchemy import select
from sqlmodel import Session

from scheduler.errors import Problem
from scheduler.publication.commitments import BROKEN_KINDS

__all__ = ["BREACH_COLUMN", "ITEM_COLUMN", "Breach", "check_breaches", "checked_commitments"]

BREACH_COLUMN = "commitment_breach"
ITEM_COLUMN = "commitment_item"


@dataclass(frozen=True)
class Breach:
    """A checked finding: which commitment a result row marks broken, and how."""

    row: int
    commitment_id: int
    uscc: str
    department_code: str
    item: str
    kind: Literal["不实承诺", "未履约"]
    on: date
    draw_id: str


def _draw_checks(session: Session, draw_id: str) -> dict[str, Any] | None:
    """The parameters of a recorded draw, or ``None`` if there is no such draw."""
    from scheduler.store.models.plans import Draw

    table = Draw.__table__  # type: ignore[attr-defined]
    receipt = session.execute(
        select(table.c.receipt).where(table.c.draw_id == draw_id)
    ).scalar_one_or_none()
    if receipt is None:
        return None
    parameters: dict[str, Any] = dict(receipt).get("parameters", {})
    return parameters


def _pending(session: Session, uscc: str, department: str, until: date) -> list[Any]:
    from scheduler.store.models.core import Commitment

    table = Commitment.__table__  # type: ignore[attr-defined]
    return list(
        session.execute(
            select(table.c.id, table.c.item, table.c.committed_on, table.c.due_on)
            .where(
                (table.c.uscc == uscc)
                & (table.c.department_code == department)
                & (table.c.status == "pending")
                & (table.c.due_on <= until)
            )
            .order_by(table.c.due_on, table.c.id)
        ).all()
    )


def check_breaches(
    session: Session, records: list[tuple[int, Any]], source: str
) -> tuple[list[Breach], list[Problem]]:
    """The findings of ``records`` ((spreadsheet row, result record)) and every problem.

    A record without a finding is skipped. Nothing is written here.
    """
    breaches: list[Breach] = []
    problems: list[Problem] = []
    draws: dict[str, dict[str, Any] | None] = {}
    seen: dict[int, int] = {}
    for position, record in records:
        kind = str(getattr(record, BREACH_COLUMN, "") or "").strip()
        if not kind:
            continue
        if kind not in BROKEN_KINDS:
            problems.append(
                Problem(
                    source, position, BREACH_COLUMN,
                    f"must be one of {', '.join(BROKEN_KINDS)} or blank; got {kind!r}",
                )
            )  # fmt: skip
            continue
        draw_id = str(getattr(record, "draw_id", "") or "").strip()
        if not draw_id:
            problems.append(
                Problem(
                    source, position, "draw_id",
                    "a commitment finding needs the draw_id of the 承诺核查 draw",
                )
            )  # fmt: skip
            continue
        if draw_id not in draws:
            draws[draw_id] = _draw_checks(session, draw_id)
        parameters = draws[draw_id]
        if parameters is None:
            problems.append(Problem(source, position, "draw_id", f"no recorded draw {draw_id}"))
            continue
        if record.uscc not in parameters.get("commitment_checks", ()):
            problems.append(
                Problem(
                    source, position, BREACH_COLUMN,
                    f"{record.uscc} is not a commitment check (承诺核查) of draw {draw_id}",
                )
            )  # fmt: skip
            continue
        department = parameters["department_code"]
        if record.department_code != department:
            problems.append(
                Problem(
                    source, position, "department_code",
                    f"the commitments checked by draw {draw_id} were made to {department}, "
                    f"not {record.department_code}",
                )
            )  # fmt: skip
            continue
        until = date.fromisoformat(parameters["verify_commitments"])
        candidates = _pending(session, record.uscc, department, until)
        item = str(getattr(record, ITEM_COLUMN, "") or "").strip()
        if item:
            matching = [c for c in candidates if c.item == item]
        else:
            matching = candidates
        items = ", ".join(sorted({str(c.item) for c in candidates})) or "none"
        if not matching:
            problems.append(
                Problem(
                    source, position, ITEM_COLUMN if item else BREACH_COLUMN,
                    f"no pending commitment {item!r} of {record.uscc} to {department} due by "
                    f"{until} (pending: {items})" if item else
                    f"{record.uscc} has no pending commitment to {department} due by {until}",
                )
            )  # fmt: skip
            continue
        if len(matching) > 1:
            problems.append(
                Problem(
                    source, position, ITEM_COLUMN,
                    f"{record.uscc} has several pending commitments checked ({items}); "
                    "name one in commitment_item",
                )
            )  # fmt: skip
            continue
        found = matching[0]
        day = record.inspected_on
        day = day.date() if hasattr(day, "date") else day
        if day < found.committed_on:
            problems.append(
                Problem(
                    source, position, "inspected_on",
                    f"{day} is before the commitment was made ({found.committed_on})",
                )
            )  # fmt: skip
            continue
        if found.id in seen:
            problems.append(
                Problem(
                    source, position, BREACH_COLUMN,
                    f"commitment {found.item!r} of {record.uscc} is already found broken "
                    f"in row {seen[found.id]}",
                )
            )  # fmt: skip
            continue
        seen[found.id] = position
        breaches.append(
            Breach(
                position, int(found.id), record.uscc, department, str(found.item),
                cast(Literal["不实承诺", "未履约"], kind), day, draw_id,
            )
        )  # fmt: skip
    return breaches, problems


def checked_commitments(session: Session, draw_id: str) -> dict[str, list[str]]:
    """USCC -> the items of the pending commitments a recorded draw checks (承诺核查).

    What a results form offers for the visits of ``draw_id``; empty for a draw
    without commitment checks.
    """
    parameters = _draw_checks(session, draw_id) or {}
    if not parameters.get("verify_commitments"):
        return {}
    until = date.fromisoformat(parameters["verify_commitments"])
    department = parameters["department_code"]
    return {
        uscc: [str(c.item) for c in _pending(session, uscc, department, until)]
        for uscc in parameters.get("commitment_checks", ())
    }
