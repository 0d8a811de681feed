"""Create the profile and deleted_user tables, and the event tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from todo_common.events.migration import create_event_tables, drop_event_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "users"


def upgrade() -> None:
    op.create_table(
        "profile",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile")),
        schema=SCHEMA,
    )
    op.create_index("ix_profile_created", "profile", ["created_at", "id"], schema=SCHEMA)
    op.create_table(
        "deleted_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deleted_user")),
        schema=SCHEMA,
    )
    create_event_tables(op, SCHEMA)


def downgrade() -> None:
    drop_event_tables(op, SCHEMA)
    op.drop_table("deleted_user", schema=SCHEMA)
    op.drop_index("ix_profile_created", table_name="profile", schema=SCHEMA)
    op.drop_table("profile", schema=SCHEMA)
