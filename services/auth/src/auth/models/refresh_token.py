import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from auth import SCHEMA
from todo_common.tables import timestamp_field


class RefreshToken(SQLModel, table=True):
    """One opaque refresh token, known only by its SHA-256, in a family of rotations.

    A family starts at login; each refresh spends a token and adds the next one to the
    family. Presenting a spent token again means it was copied: the family is revoked.
    """

    __tablename__ = "refresh_token"
    __table_args__ = {"schema": SCHEMA}

    # Columns
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    account_id: uuid.UUID = Field(
        foreign_key=f"{SCHEMA}.account.id", ondelete="CASCADE", index=True
    )
    family_id: uuid.UUID = Field(index=True)
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    spent_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
