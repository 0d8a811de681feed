"""The query string of `GET /todos`."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from todo_common.fields import PLAIN_TEXT_PATTERN, StorableText, UtcDatetime
from todo_common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from todos.models import Priority

SearchText = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=PLAIN_TEXT_PATTERN), StorableText
]


class TodoSort(StrEnum):
    NEWEST_FIRST = "-created_at"
    OLDEST_FIRST = "created_at"
    DUE_SOONEST = "due_at"
    DUE_LATEST = "-due_at"


class TodoListQuery(BaseModel):
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE
    cursor: Annotated[str | None, Field(max_length=512)] = None
    completed: bool | None = None
    priority: Priority | None = None
    q: Annotated[
        SearchText | None, Field(description="Case-insensitive substring of title or description.")
    ] = None
    due_before: Annotated[
        UtcDatetime | None, Field(description="Due strictly before this time.")
    ] = None
    due_after: Annotated[UtcDatetime | None, Field(description="Due at or after this time.")] = None
    sort: TodoSort = TodoSort.NEWEST_FIRST

    @model_validator(mode="after")
    def _due_range_not_empty(self) -> "TodoListQuery":
        # A half-open range [due_after, due_before) that holds nothing is a client mistake.
        if (
            self.due_after is not None
            and self.due_before is not None
            and self.due_after >= self.due_before
        ):
            raise ValueError("due_after must be earlier than due_before")
        return self
