"""The users table: add, remove, list and look up who may sign in to the dashboard.

``scheduler users add EMAIL --role ROLE [--department CODE]`` and the
dashboard's sign-in both come here; the rules of what each role may do live
in ``scheduler.access.policy``. Every change is an audit event in the same
transaction as the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Engine, Table, delete, select
from sqlmodel import Session

from scheduler.access.policy import ROLES, User
from scheduler.data import reference
from scheduler.errors import InvalidInputError, NotFoundError
from scheduler.store.engine import record_event
from scheduler.store.models import Department, UserAccount, UserDepartment

__all__ = ["normalise_email", "add_user", "remove_user", "list_users", "find_user"]


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


_ACCOUNTS = _table(UserAccount)
_DEPARTMENTS = _table(UserDepartment)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalise_email(email: str) -> str:
    """The stored form of an e-mail: trimmed and lower-cased (providers differ in case)."""
    text = (email or "").strip().lower()
    if not _EMAIL.fullmatch(text) or len(text) > 254:
        raise InvalidInputError(f"`email` must be an e-mail address; got {email!r}")
    return text


def _known_departments(session: Session) -> set[str]:
    stored = set(session.execute(select(_table(Department).c.code)).scalars())
    return stored | {d.code for d in reference.departments()}


def _user(session: Session, email: str) -> User | None:
    account = session.get(UserAccount, email)
    if account is None:
        return None
    codes = session.execute(
        select(_DEPARTMENTS.c.department_code).where(_DEPARTMENTS.c.email == email)
    ).scalars()
    return User(email=account.email, role=account.role, departments=frozenset(codes))


def add_user(
    session: Session,
    email: str,
    role: str,
    departments: Iterable[str] = (),
    *,
    actor: str,
) -> User:
    """Allow ``email`` to sign in with ``role``; a planner needs at least one department.

    Adding an existing planner again with more departments adds them; changing
    a user's role is refused (remove the user first, so the change is explicit
    in the audit log).
    """
    email = normalise_email(email)
    if role not in ROLES:
        raise InvalidInputError(f"`role` must be one of {', '.join(ROLES)}; got {role!r}")
    codes = list(dict.fromkeys(c.strip() for c in departments if c and c.strip()))
    if role == "planner" and not codes:
        raise InvalidInputError("a planner needs one or more departments").about("departments")
    if role != "planner" and codes:
        raise InvalidInputError(
            f"role {role!r} covers every department; give it no department"
        ).about("departments")
    unknown = [c for c in codes if c not in _known_departments(session)]
    if unknown:
        raise InvalidInputError(f"unknown department {', '.join(map(repr, unknown))}")
    existing = _user(session, email)
    if existing is not None and existing.role != role:
        raise InvalidInputError(
            f"{email} already has role {existing.role!r}; `scheduler users remove {email}` first"
        )
    if existing is None:
        session.add(UserAccount(email=email, role=role, created_by=actor))
        session.flush()
    added = [c for c in codes if existing is None or c not in existing.departments]
    for code in added:
        session.add(UserDepartment(email=email, department_code=code))
    record_event(
        session,
        "user.add",
        subject=f"user:{email}",
        details={"role": role, "departments": added},
        actor=actor,
    )
    session.flush()
    found = _user(session, email)
    assert found is not None
    return found


def remove_user(session: Session, email: str, *, actor: str) -> None:
    """Withdraw ``email``'s access (its departments go with it)."""
    email = normalise_email(email)
    existing = _user(session, email)
    if existing is None:
        raise NotFoundError(f"no user {email}")
    session.execute(delete(_DEPARTMENTS).where(_DEPARTMENTS.c.email == email))
    session.execute(delete(_ACCOUNTS).where(_ACCOUNTS.c.email == email))
    record_event(
        session,
        "user.remove",
        subject=f"user:{email}",
        details={"role": existing.role, "departments": sorted(existing.departments)},
        actor=actor,
    )


def list_users(session: Session) -> list[User]:
    """Every user, by e-mail."""
    emails = session.execute(select(_ACCOUNTS.c.email).order_by(_ACCOUNTS.c.email)).scalars()
    return [u for e in list(emails) if (u := _user(session, e)) is not None]


def find_user(engine: Engine, email: str | None) -> User | None:
    """The user a signed-in e-mail maps to, or ``None`` (no access) if it is not listed."""
    if not email:
        return None
    try:
        email = normalise_email(email)
    except InvalidInputError:
        return None
    with Session(engine) as session:
        return _user(session, email)
