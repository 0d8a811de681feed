"""The event tables in a service's migration: `create_event_tables(op, schema)`."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


def create_event_tables(op: Any, schema: str) -> None:
    """Create the outbox and processed-event tables in `schema` (call from `upgrade()`)."""
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("subscriber", sa.String(length=50), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_message"),
        schema=schema,
    )
    op.create_index(
        "ix_outbox_message_pending",
        "outbox_message",
        ["next_attempt_at"],
        schema=schema,
        postgresql_where=sa.text("delivered_at IS NULL"),
    )
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_event"),
        schema=schema,
    )


def drop_event_tables(op: Any, schema: str) -> None:
    op.drop_table("processed_event", schema=schema)
    op.drop_index("ix_outbox_message_pending", table_name="outbox_message", schema=schema)
    op.drop_table("outbox_message", schema=schema)
