"""What a client sends and receives for a profile.

Plain Pydantic models, apart from the table: only `name` can ever be written through the
API. The email is the account's login, owned by auth, so it is read-only here.
"""

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict

from todo_common.fields import (
    NotNull,
    PersonName,
    UtcDatetime,
)
from todo_common.pagination import Page


class ProfileReplace(BaseModel):
    """A full replacement of the editable fields."""

    model_config = ConfigDict(extra="forbid")

    name: PersonName


class ProfileUpdate(BaseModel):
    """A partial update: only the fields present change."""

    model_config = ConfigDict(extra="forbid")

    # Properties a client may send on update
    name: Annotated[PersonName | None, NotNull] = None


class ProfilePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ProfilePage(Page[ProfilePublic]):
    """One page of profiles; pass `next_cursor` back as `cursor` for the next (null: the end)."""
