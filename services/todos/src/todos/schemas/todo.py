"""What a client sends and receives for a todo.

These are plain Pydantic models rather than SQLModel bases shared with the table: the API
rules (trimmed titles, timezone-aware dates, unknown fields rejected) differ from the column
types, and keeping them apart means no table field can leak into or be set through the API.
"""

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, JsonValue, StrictBool, StringConstraints

from todo_common.fields import (
    NON_BLANK_TEXT_PATTERN,
    PLAIN_TEXT_PATTERN,
    NotNull,
    StorableText,
    UtcDatetime,
    trimmed_text_schema,
)
from todo_common.pagination import Page
from todos.models import Priority

Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=NON_BLANK_TEXT_PATTERN
    ),
    trimmed_text_schema(200),
    StorableText,
]
Description = Annotated[
    str, StringConstraints(max_length=10_000, pattern=PLAIN_TEXT_PATTERN), StorableText
]


_TODO_EXAMPLE: dict[str, JsonValue] = {
    "title": "Buy milk",
    "description": "Two litres, semi-skimmed",
    "completed": False,
    "priority": "high",
    "due_at": "2030-01-31T09:00:00Z",
}


class TodoCreate(BaseModel):
    # StrictBool: JSON `0` or `"yes"` is not a boolean, whatever Pydantic's lax mode reads.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_TODO_EXAMPLE]})

    title: Title
    description: Description | None = None
    completed: StrictBool = False
    priority: Priority = Priority.MEDIUM
    due_at: UtcDatetime | None = None


class TodoReplace(TodoCreate):
    """A full replacement: fields left out return to their defaults."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_TODO_EXAMPLE]})


class TodoUpdate(BaseModel):
    """A partial update: only the fields present change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"completed": True}, {"due_at": None}]}
    )

    # Properties a client may send on update. `description` and `due_at` may be cleared
    # with null; the others may be left out but not nulled.
    title: Annotated[Title | None, NotNull] = None
    description: Description | None = None
    completed: Annotated[StrictBool | None, NotNull] = None
    priority: Annotated[Priority | None, NotNull] = None
    due_at: UtcDatetime | None = None


_TODO_PUBLIC_EXAMPLE: dict[str, JsonValue] = {
    "id": "3f0c1f5e-8a4b-4c47-9f3d-2b1e6a7c9d10",
    **_TODO_EXAMPLE,
    "created_at": "2030-01-01T12:00:00Z",
    "updated_at": "2030-01-02T08:30:00Z",
}


class TodoPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [_TODO_PUBLIC_EXAMPLE]}
    )

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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_TODO_PUBLIC_EXAMPLE],
                    "next_cursor": "eyJjcmVhdGVkX2F0IjoiMjAzMC0wMS0wMVQxMjowMDowMFoifQ",
                }
            ]
        }
    )
