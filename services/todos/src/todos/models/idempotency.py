import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from todo_common.tables import timestamp_field
from todos import SCHEMA


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a create that carried an `Idempotency-Key`, replayed on retries."""

    __tablename__ = "idempotency_key"
    __table_args__ = {"schema": SCHEMA}

    # Columns
    owner_id: uuid.UUID = Field(primary_key=True)
    key: str = Field(primary_key=True, sa_type=sa.String(255))
    # A hash of the request body: the same key with another body is a client bug, not a retry.
    request_fingerprint: str = Field(sa_type=sa.String(64))
    todo_id: uuid.UUID | None = None
    response_body: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    response_version: int | None = None
    created_at: datetime = timestamp_field()
