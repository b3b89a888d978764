"""Is a database already at the newest schema? Answered without importing Alembic.

Every command opens the database through ``init_db``, which used to run Alembic's
upgrade each time: importing Alembic (~0.4 s) and, on SQLite, a whole-database
``PRAGMA foreign_key_check`` (~3.5 s on a 1.5M-entity file) even when there was
nothing to migrate. Reading ``alembic_version`` and the shipped revision files is
enough to know that nothing needs doing; anything unexpected answers "no" and the
caller runs the full upgrade, so this check can only skip work, never a migration.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

__all__ = ["at_head", "shipped_head"]

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r'^revision(?:: [^=]+)? = ["\']([^"\']+)["\']', re.MULTILINE)
_DOWN = re.compile(r'^down_revision(?:: [^=]+)? = (None|["\']([^"\']+)["\'])', re.MULTILINE)


@cache
def shipped_head() -> str | None:
    """The single head of the shipped revision files; ``None`` if they are not a plain chain.

    ``tests/unit_store/test_migrations.py`` checks this equals Alembic's own head.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        if path.name == "__init__.py":
            continue
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None  # not the shape autogenerate writes: let Alembic decide
        revisions.add(revision[0])
        if down[0][1]:
            parents.add(down[0][1])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def at_head(engine: Engine) -> bool:
    """True when the database records exactly the shipped head revision."""
    head = shipped_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:  # no alembic_version table: empty or pre-migration database
        return False
    return [tuple(r) for r in rows] == [(head,)]
