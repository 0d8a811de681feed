"""What a client sends and receives for a profile.

Plain Pydantic models, apart from the table: only `name` can ever be written through the
API. The email is the account's login, owned by auth, so it is read-only here.
"""

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from todo_common.fields import (
    NON_BLANK_TEXT_PATTERN,
    NotNull,
    StorableText,
    UtcDatetime,
    trimmed_text_schema,
)
from todo_common.pagination import Page

# API.md: a name is 1 to 100 characters after trimming.
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=NON_BLANK_TEXT_PATTERN
    ),
    trimmed_text_schema(100),
    StorableText,
]


class ProfileReplace(BaseModel):
    """A full replacement of the editable fields."""

    model_config = ConfigDict(extra="forbid")

    name: Name


class ProfileUpdate(BaseModel):
    """A partial update: only the fields present change."""

    model_config = ConfigDict(extra="forbid")

    # Properties a client may send on update
    name: Annotated[Name | None, NotNull] = None


class ProfilePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ProfilePage(Page[ProfilePublic]):
    """One page of profiles; pass `next_cursor` back as `cursor` for the next (null: the end)."""
