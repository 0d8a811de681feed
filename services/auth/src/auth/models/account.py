import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from auth import SCHEMA
from todo_common.tables import string_enum, timestamp_field


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


class Account(SQLModel, table=True):
    """Who may log in, and how: the email, the password hash, the role."""

    __tablename__ = "account"
    __table_args__ = {"schema": SCHEMA}

    # Columns
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Stored in lower case, so the unique constraint compares addresses case-insensitively.
    email: str = Field(sa_type=sa.String(254), unique=True)
    # auth.schemas.account.email_key(email): lookalike addresses share it, so it is what
    # registration and login compare.
    email_key: str = Field(sa_type=sa.String(254), unique=True)
    name: str = Field(sa_type=sa.String(100))
    password_hash: str = Field(sa_type=sa.String(255))
    role: Role = Field(
        default=Role.USER,
        sa_type=string_enum(Role, name="role"),
    )
    # A disabled account keeps its data but cannot log in or refresh.
    active: bool = True
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
