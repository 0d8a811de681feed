"""Create deleted_owner: accounts `user.deleted` named, refused from then on.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "todos"


def upgrade() -> None:
    op.create_table(
        "deleted_owner",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deleted_owner")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("deleted_owner", schema=SCHEMA)
