"""What a client sends and receives for a todo.

These are plain Pydantic models rather than SQLModel bases shared with the table: the API
rules (trimmed titles, timezone-aware dates, unknown fields rejected) differ from the column
types, and keeping them apart means no table field can leak into or be set through the API.
"""

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from todo_common.fields import StorableText, UtcDatetime
from todo_common.pagination import Page
from todos.models import Priority

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), StorableText
]
Description = Annotated[str, StringConstraints(max_length=10_000), StorableText]


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

    # Properties a client may send on update
    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None
    priority: Priority | None = None
    due_at: UtcDatetime | None = None

    @field_validator("title", "completed", "priority")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # `description` and `due_at` may be cleared with null; these three may not.
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


TodoPage = Page[TodoPublic]
