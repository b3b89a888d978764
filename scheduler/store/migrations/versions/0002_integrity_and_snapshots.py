"""Frame snapshots, one current draw and run, a hash-chained append-only audit log.

Revision ID: 0002
Revises: 0001

Existing data are brought under the new rules rather than refused: plans that
already hold several "first" draws (possible before the constraint) and draws
with several assignment runs are linked into a chain in id order; events
recorded before the chain existed get the digest of what they record (as it is
stored at the upgrade) and are chained in id order; only then are the unique
indexes and the append-only triggers created.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_ONLY = sa.text("supersedes IS NULL")


def upgrade() -> None:
    op.create_table(
        "audithead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "framesnapshot",
        sa.Column("frame_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("frame_size", sa.Integer(), nullable=False),
        sa.Column("encoding", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("frame_sha256"),
    )
    with op.batch_alter_table("assignmentrun") as batch_op:
        batch_op.add_column(sa.Column("supersedes", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "created_by",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="system",
            )
        )
    with op.batch_alter_table("auditevent") as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "digest",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )

    connection = op.get_bind()
    _link_in_id_order(connection, "draw", "plan_id", "draw_id")
    _link_in_id_order(connection, "assignmentrun", "draw_ids", "id")

    with op.batch_alter_table("assignmentrun") as batch_op:
        batch_op.create_index(
            "uq_assignmentrun_first_per_draws",
            ["draw_ids"],
            unique=True,
            sqlite_where=FIRST_ONLY,
            postgresql_where=FIRST_ONLY,
        )
        batch_op.create_unique_constraint("uq_assignmentrun_supersedes", ["supersedes"])
    with op.batch_alter_table("auditevent") as batch_op:
        batch_op.create_unique_constraint("uq_auditevent_prev_hash", ["prev_hash"])
        batch_op.create_unique_constraint("uq_auditevent_seq", ["seq"])
    with op.batch_alter_table("draw") as batch_op:
        batch_op.create_index(
            "uq_draw_first_per_plan",
            ["plan_id"],
            unique=True,
            sqlite_where=FIRST_ONLY,
            postgresql_where=FIRST_ONLY,
        )
        batch_op.create_unique_constraint("uq_draw_supersedes", ["supersedes"])

    from scheduler.store.audit_chain import backfill_chain
    from scheduler.store.audit_guard import install_guards

    _backfill_digests(connection)
    backfill_chain(connection)
    install_guards(connection)


def _backfill_digests(connection: sa.Connection) -> None:
    """Give the events of earlier draws, substitutions and runs the digest of what is stored.

    Records made before this revision are protected from the upgrade on, not
    before: the digest is of the rows as they stand when the database is upgraded.
    """
    from scheduler.store.audit_verify import DRAW_KINDS, RUN_KINDS, SUBSTITUTION_KINDS, run_id_of
    from scheduler.store.record_digest import draw_digest, run_digest, substitutions_digest

    events = connection.execute(
        sa.text("SELECT id, kind, subject FROM auditevent WHERE digest = '' ORDER BY id")
    ).all()
    for event_id, kind, subject in events:
        digest: str | None = None
        if kind in DRAW_KINDS:
            digest = draw_digest(connection, subject)
        elif kind in SUBSTITUTION_KINDS:
            digest = substitutions_digest(connection, subject)
        elif kind in RUN_KINDS and (run := run_id_of(subject)) is not None:
            digest = run_digest(connection, run)
        if digest:
            connection.execute(
                sa.text("UPDATE auditevent SET digest = :digest WHERE id = :id"),
                {"digest": digest, "id": event_id},
            )


def _link_in_id_order(connection: sa.Connection, table: str, group: str, key: str) -> None:
    """Within each ``group``, make every row but the first supersede the one before it."""
    rows = connection.execute(
        sa.text(f"SELECT id, {group}, {key} FROM {table} WHERE supersedes IS NULL ORDER BY id")
    ).all()
    last: dict[object, object] = {}
    for row_id, group_value, key_value in rows:
        if group_value in last:
            connection.execute(
                sa.text(f"UPDATE {table} SET supersedes = :previous WHERE id = :id"),
                {"previous": last[group_value], "id": row_id},
            )
        last[group_value] = key_value


def downgrade() -> None:
    raise NotImplementedError("the audit chain and the draw constraints are not undone")
