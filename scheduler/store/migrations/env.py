"""Alembic environment: the scheduler's models, on the connection ``store.schema`` passes in.

``render_as_batch`` lets SQLite (which cannot ALTER most things) apply a changed
table by copy-and-move, so one migration works on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import scheduler.store.models  # noqa: F401  (registers every table)

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only ``scheduler.store.schema`` runs migrations
    raise RuntimeError("run migrations through scheduler.store.schema (scheduler db upgrade)")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
