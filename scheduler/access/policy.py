"""Who may do what: the one policy function every entry point asks, ``may(user, action, dept)``.

Four roles (issue 12):

========  ===================================================================
admin     信用办: everything, every department, user management.
planner   plans, draws, staffing, exports, results entry and personal data
          (phones, legal representatives) of *their own* departments only.
auditor   reads everything (every department, personal data included) and
          verifies draws and the audit log; changes nothing.
viewer    public lists only.
========  ===================================================================

The dashboard asks twice, on purpose (defence in depth): once to decide which
pages its navigation offers, and again inside every page before it shows or
does anything. Both ask this module; no page carries its own rule.

``department=None`` asks "for some department" (is the page worth offering
at all); a page then asks again with the plan's department.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scheduler.errors import SchedulerError
from scheduler.store.models.users import ROLES

__all__ = ["ROLES", "ACTIONS", "User", "LOCAL_USER", "AccessDeniedError", "may", "check"]

_EVERY_ROLE = frozenset(ROLES)
_STAFF = frozenset({"admin", "planner", "auditor"})
_WRITERS = frozenset({"admin", "planner"})

ACTIONS: dict[str, tuple[frozenset[str], bool]] = {
    # action: (roles allowed, scoped to the planner's own departments)
    "view_public": (_EVERY_ROLE, False),
    "view_overview": (_STAFF, False),
    "simulate": (_STAFF, False),
    "view_plans": (_STAFF, True),
    "view_personal": (_STAFF, True),
    "export": (_STAFF, True),
    "edit_plans": (_WRITERS, True),
    "draw": (_WRITERS, True),
    "staff": (_WRITERS, True),
    "record_results": (_WRITERS, True),
    "verify": (_STAFF, False),
    "view_audit": (frozenset({"admin", "auditor"}), False),
    "import": (frozenset({"admin"}), False),
    "manage_publication": (frozenset({"admin"}), False),
    "manage_users": (frozenset({"admin"}), False),
}
"""Every action a role may be allowed; an action not listed here is a programming error."""


@dataclass(frozen=True)
class User:
    """A signed-in person as the policy sees them (e-mail, role, planner's departments)."""

    email: str
    role: str
    departments: frozenset[str] = field(default_factory=frozenset)


LOCAL_USER = User(email="local", role="admin")
"""The single user of local mode (no sign-in configured; the dashboard listens on loopback only)."""


def may(user: User | None, action: str, department: str | None = None) -> bool:
    """Whether ``user`` may do ``action`` (for ``department``, if the action is scoped).

    ``None`` (nobody signed in, or an e-mail not in the users table) may do
    nothing. A planner's scoped actions hold for their departments only;
    ``department=None`` then means "for at least one of them".
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if user is None:
        return False
    roles, scoped = ACTIONS[action]
    if user.role not in roles:
        return False
    if not scoped or user.role != "planner":
        return True
    if department is None:
        return bool(user.departments)
    return department in user.departments


class AccessDeniedError(SchedulerError):
    """The user's role does not allow the action (for that department)."""

    exit_code = 2


def check(user: User | None, action: str, department: str | None = None) -> None:
    """``may``, raising ``AccessDeniedError`` with a sentence instead of returning ``False``."""
    if not may(user, action, department):
        who = "nobody signed in" if user is None else f"{user.email} ({user.role})"
        where = f" for department {department}" if department else ""
        raise AccessDeniedError(f"{who} may not {action.replace('_', ' ')}{where}")
