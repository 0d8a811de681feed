import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from todo_common.tables import timestamp_field
from todos import SCHEMA


class DeletedOwner(SQLModel, table=True):
    """An account `user.deleted` named: its tokens are refused here from then on."""

    __tablename__ = "deleted_owner"
    __table_args__ = {"schema": SCHEMA}

    # Columns
    id: uuid.UUID = Field(primary_key=True)
    deleted_at: datetime = timestamp_field()
