import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from todo_common.tables import timestamp_field
from users import SCHEMA


class Profile(SQLModel, table=True):
    """A user's profile; its id is the account id auth gave the user."""

    __tablename__ = "profile"
    __table_args__ = (
        # The admin listing pages through (created_at, id).
        sa.Index("ix_profile_created", "created_at", "id"),
        {"schema": SCHEMA},
    )

    # Columns
    id: uuid.UUID = Field(primary_key=True)
    # The account's login, owned by auth; mirrored here, never changed through this API.
    email: str = Field(sa_type=sa.String(320))
    name: str = Field(sa_type=sa.String(100))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class DeletedUser(SQLModel, table=True):
    """A deleted account: its profile must not come back from a late event or an old token."""

    __tablename__ = "deleted_user"
    __table_args__ = {"schema": SCHEMA}

    # Columns
    id: uuid.UUID = Field(primary_key=True)
    deleted_at: datetime = timestamp_field()
