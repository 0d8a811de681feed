"""The event tables every service has in its own schema (SHARED_TABLE_SCHEMA is mapped)."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from todo_common.tables import SHARED_TABLE_SCHEMA, timestamp_field


class OutboxMessage(SQLModel, table=True):
    """One event for one subscriber, waiting for (or done with) delivery."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        # The relay's query: undelivered messages whose next attempt is due.
        sa.Index(
            "ix_outbox_message_pending",
            "next_attempt_at",
            postgresql_where=sa.text("delivered_at IS NULL"),
        ),
        {"schema": SHARED_TABLE_SCHEMA},
    )

    # Columns
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # The same for every subscriber of one event: consumers deduplicate on it.
    event_id: uuid.UUID
    event_type: str = Field(sa_type=sa.String(100))
    subscriber: str = Field(sa_type=sa.String(50))
    payload: dict[str, Any] = Field(sa_type=JSONB)
    created_at: datetime = timestamp_field()
    attempts: int = 0
    next_attempt_at: datetime = timestamp_field()
    delivered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_error: str | None = Field(default=None, sa_type=sa.Text)


class ProcessedEvent(SQLModel, table=True):
    """An event this service has consumed; its effect was committed with this row."""

    __tablename__ = "processed_event"
    __table_args__ = {"schema": SHARED_TABLE_SCHEMA}

    # Columns
    event_id: uuid.UUID = Field(primary_key=True)
    event_type: str = Field(sa_type=sa.String(100))
    processed_at: datetime = timestamp_field()
