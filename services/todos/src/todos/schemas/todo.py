"""What a client sends and receives for a todo.

These are plain Pydantic models rather than SQLModel bases shared with the table: the API
rules (trimmed titles, timezone-aware dates, unknown fields rejected) differ from the column
types, and keeping them apart means no table field can leak into or be set through the API.
"""

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.config import JsonDict

from todo_common.fields import (
    NON_BLANK_TEXT_PATTERN,
    PLAIN_TEXT_PATTERN,
    StorableText,
    UtcDatetime,
)
from todo_common.pagination import Page
from todos.models import Priority

Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=NON_BLANK_TEXT_PATTERN
    ),
    StorableText,
]
Description = Annotated[
    str, StringConstraints(max_length=10_000, pattern=PLAIN_TEXT_PATTERN), StorableText
]


class TodoCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    completed: bool = False
    priority: Priority = Priority.MEDIUM
    due_at: UtcDatetime | None = None


class TodoReplace(TodoCreate):
    """A full replacement: fields left out return to their defaults."""


def _published_without_null(schema: JsonDict) -> None:
    # `X | None` rather than a union with SkipJsonSchema[None]: pydantic validates the
    # former as one nullable type, so errors keep the plain location (`body.title`)
    # instead of one error per union branch, named after pydantic's internals.
    branches = schema.get("anyOf")
    if not isinstance(branches, list):
        return
    typed = [branch for branch in branches if branch != {"type": "null"}]
    if len(typed) == 1 and isinstance(typed[0], dict):
        del schema["anyOf"]
        schema.update(typed[0])


class TodoUpdate(BaseModel):
    """A partial update: only the fields present change."""

    model_config = ConfigDict(extra="forbid")

    # Properties a client may send on update. `description` and `due_at` may be cleared
    # with null; the others may be left out but not nulled (`_not_null` refuses it, and
    # the published schema says so).
    title: Title | None = Field(default=None, json_schema_extra=_published_without_null)
    description: Description | None = None
    completed: bool | None = Field(default=None, json_schema_extra=_published_without_null)
    priority: Priority | None = Field(default=None, json_schema_extra=_published_without_null)
    due_at: UtcDatetime | None = None

    @field_validator("title", "completed", "priority")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class TodoPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_at: UtcDatetime | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class TodoPage(Page[TodoPublic]):
    """One page of todos; pass `next_cursor` back as `cursor` for the next (null: the end)."""
