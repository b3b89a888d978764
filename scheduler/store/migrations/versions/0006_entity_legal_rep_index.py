"""Index ``entity.legal_rep``: the public list's masker looks names up instead of reading them all.

A draw's public list masks every legal representative that occurs inside its
entities' names (``scheduler.publication.db_inputs.masker_from_db``): one index
lookup per piece of each name, where reading the 353k distinct names of a city took
3 s of CPU. The index costs ~26 MB and under a second to build at 1.48M entities.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:39:19.991754
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_legal_rep"), ["legal_rep"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_legal_rep"))
