"""What a client sends and receives for a profile.

Plain Pydantic models, apart from the table: only `name` can ever be written through the
API. The email is the account's login, owned by auth, so it is read-only here.
"""

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, JsonValue

from todo_common.fields import (
    NotNull,
    PersonName,
    UtcDatetime,
)
from todo_common.pagination import Page


class ProfileReplace(BaseModel):
    """A full replacement of the editable fields."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Ada"}]})

    name: PersonName


class ProfileUpdate(BaseModel):
    """A partial update: only the fields present change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Ada Lovelace"}]}
    )

    # Properties a client may send on update
    name: Annotated[PersonName | None, NotNull] = None


_PROFILE_EXAMPLE: dict[str, JsonValue] = {
    "id": "0b6f3a52-2c1d-4e8f-a9b7-5d4c3e2f1a00",
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "created_at": "2030-01-01T12:00:00Z",
    "updated_at": "2030-01-02T08:30:00Z",
}


class ProfilePublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [_PROFILE_EXAMPLE]}
    )

    id: uuid.UUID
    email: str
    name: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ProfilePage(Page[ProfilePublic]):
    """One page of profiles; pass `next_cursor` back as `cursor` for the next (null: the end)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_PROFILE_EXAMPLE], "next_cursor": None}]}
    )
