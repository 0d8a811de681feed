"""What a client sends and receives for a todo.

These are plain Pydantic models rather than SQLModel bases shared with the table: the API
rules (trimmed titles, timezone-aware dates, unknown fields rejected) differ from the column
types, and keeping them apart means no table field can leak into or be set through the API.
"""

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

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


class TodoCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    completed: bool = False
    priority: Priority = Priority.MEDIUM
    due_at: UtcDatetime | None = None


class TodoReplace(TodoCreate):
    """A full replacement: fields left out return to their defaults."""


class TodoUpdate(BaseModel):
    """A partial update: only the fields present change."""

    model_config = ConfigDict(extra="forbid")

    # Properties a client may send on update. `description` and `due_at` may be cleared
    # with null; the others may be left out but not nulled.
    title: Annotated[Title | None, NotNull] = None
    description: Description | None = None
    completed: Annotated[bool | None, NotNull] = None
    priority: Annotated[Priority | None, NotNull] = None
    due_at: UtcDatetime | None = None


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
