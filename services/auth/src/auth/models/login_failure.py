from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from auth import SCHEMA


class LoginFailure(SQLModel, table=True):
    """Consecutive failed logins for one email address, and the lock they earned.

    Keyed by the address, not the account, so an unknown address is throttled exactly like
    a known one and the lockout reveals nothing about who has an account.
    """

    __tablename__ = "login_failure"
    __table_args__ = {"schema": SCHEMA}

    # Columns
    email: str = Field(primary_key=True, sa_type=sa.String(254))
    failed_count: int
    last_failed_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    locked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
