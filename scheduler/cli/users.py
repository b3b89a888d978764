"""CLI commands ``scheduler users add|list|remove``: who may sign in to the dashboard, as what.

The command layer parses and prints; ``scheduler.access.users`` stores, validates and
audits. The actor of these events is the OS user running the command.
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.table import Table

from scheduler.cli.console import console
from scheduler.cli.draw_options import Url

__all__ = ["register"]

users_app = typer.Typer(
    help="Dashboard users and their roles (admin, planner, auditor, viewer).",
    no_args_is_help=True,
)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return "cli"


def users_add(
    email: Annotated[str, typer.Argument(help="The e-mail the identity provider verifies.")],
    role: Annotated[
        str, typer.Option("--role", help="admin, planner, auditor or viewer.", show_default=False)
    ],
    department: Annotated[
        list[str] | None,
        typer.Option("--department", help="A planner's department code (repeat for several)."),
    ] = None,
    url: Url = None,
) -> None:
    """Allow EMAIL to sign in with ROLE (a planner for the given departments)."""
    from scheduler.access.users import add_user
    from scheduler.store.engine import init_db, make_engine, session_scope

    engine = make_engine(url)
    init_db(engine)
    with session_scope(engine) as session:
        user = add_user(session, email, role, department or (), actor=_os_user())
    scope = f" for {', '.join(sorted(user.departments))}" if user.departments else ""
    console.print(f"user {user.email}: {user.role}{scope}")


def users_list(url: Url = None) -> None:
    """List the users allowed to sign in."""
    from sqlmodel import Session

    from scheduler.access.users import list_users
    from scheduler.store.engine import init_db, make_engine

    engine = make_engine(url)
    init_db(engine)
    with Session(engine) as session:
        users = list_users(session)
    table = Table(title="users")
    for column in ("email", "role", "departments"):
        table.add_column(column)
    for user in users:
        table.add_row(user.email, user.role, ", ".join(sorted(user.departments)) or "(all)")
    console.print(table)


def users_remove(
    email: Annotated[str, typer.Argument(help="The user's e-mail.")],
    url: Url = None,
) -> None:
    """Withdraw EMAIL's access to the dashboard."""
    from scheduler.access.users import remove_user
    from scheduler.store.engine import init_db, make_engine, session_scope

    engine = make_engine(url)
    init_db(engine)
    with session_scope(engine) as session:
        remove_user(session, email, actor=_os_user())
    console.print(f"user {email.strip().lower()} removed")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    users_app.command("add")(users_add)
    users_app.command("list")(users_list)
    users_app.command("remove")(users_remove)
    app.add_typer(users_app, name="users")
