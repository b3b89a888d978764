"""Who is acting, for the audit log: ``--actor NAME`` (or ``SCHEDULER_ACTOR``), else the OS user.

The root command sets it once per invocation; every command that records
something passes ``cli_actor()`` to the library, which takes ``actor``
explicitly and never guesses.
"""

from __future__ import annotations

import getpass

__all__ = ["set_actor", "cli_actor", "os_user"]

_chosen: dict[str, str | None] = {"actor": None}


def os_user() -> str:
    """The operating-system user running the command (``unknown`` if the system has none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER
        return "unknown"


def set_actor(name: str | None) -> None:
    """Remember ``--actor`` for this invocation (``None``: the OS user)."""
    _chosen["actor"] = name.strip() if name and name.strip() else None


def cli_actor() -> str:
    """The actor recorded by this invocation's audit events."""
    return _chosen["actor"] or os_user()
