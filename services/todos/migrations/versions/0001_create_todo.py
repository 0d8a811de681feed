"""Create the todo and idempotency_key tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "todos"


def upgrade() -> None:
    op.create_table(
        "todo",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column(
            "priority",
            sa.Enum(
                "low",
                "medium",
                "high",
                name="priority",
                native_enum=False,
                create_constraint=True,
                length=6,
            ),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todo")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_todo_owner_created", "todo", ["owner_id", "created_at", "id"], schema=SCHEMA
    )
    op.create_index("ix_todo_owner_due", "todo", ["owner_id", "due_at", "id"], schema=SCHEMA)
    op.create_table(
        "idempotency_key",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("todo_id", sa.Uuid(), nullable=True),
        sa.Column("response_body", postgresql.JSONB(), nullable=True),
        sa.Column("response_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "key", name=op.f("pk_idempotency_key")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("idempotency_key", schema=SCHEMA)
    op.drop_index("ix_todo_owner_due", table_name="todo", schema=SCHEMA)
    op.drop_index("ix_todo_owner_created", table_name="todo", schema=SCHEMA)
    op.drop_table("todo", schema=SCHEMA)
