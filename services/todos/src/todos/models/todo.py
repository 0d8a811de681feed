import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from todo_common.tables import string_enum, timestamp_field
from todos import SCHEMA


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Todo(SQLModel, table=True):
    __tablename__ = "todo"
    __table_args__ = (
        # Keyset paging reads (owner, sort key, id) in order; one index per sort key keeps a
        # page an index range scan even when a user has a million todos.
        sa.Index("ix_todo_owner_created", "owner_id", "created_at", "id"),
        sa.Index("ix_todo_owner_due", "owner_id", "due_at", "id"),
        {"schema": SCHEMA},
    )

    # Columns
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID
    title: str = Field(sa_type=sa.String(200))
    description: str | None = Field(default=None, sa_type=sa.Text)
    completed: bool = False
    priority: Priority = Field(
        default=Priority.MEDIUM,
        sa_type=string_enum(Priority, name="priority"),
    )
    due_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    # Bumped on every change; the ETag is derived from it.
    version: int = 1
