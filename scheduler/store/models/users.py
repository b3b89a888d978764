"""Tables of the dashboard's users: who may sign in, with which role, for which departments.

The identity provider says *who* someone is (a verified e-mail); these rows
say *what* they may do (``scheduler.access.policy.may``). A signed-in e-mail without a
row gets no access at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from scheduler.store.models.core import utcnow

__all__ = ["UserAccount", "UserDepartment", "ROLES"]

ROLES = ("admin", "planner", "auditor", "viewer")
"""admin (信用办), planner (a department's planner), auditor (read-only + verify), viewer."""


class UserAccount(SQLModel, table=True):
    """One person allowed to sign in, by the lower-cased e-mail the provider verifies."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'planner', 'auditor', 'viewer')", name="ck_user_account_role"
        ),
    )

    email: str = Field(primary_key=True, max_length=254)
    role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = "system"


class UserDepartment(SQLModel, table=True):
    """A department whose plans a planner works on (one row per user and department)."""

    __tablename__ = "user_department"

    email: str = Field(
        sa_column=Column(
            String(254),
            ForeignKey("user_account.email", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    department_code: str = Field(primary_key=True, max_length=32)
