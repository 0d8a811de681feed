"""The query string of `GET /todos`."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from todo_common.fields import UtcDatetime
from todo_common.pagination import PageQuery
from todo_common.search import SearchText
from todos.models import Priority


class TodoSort(StrEnum):
    NEWEST_FIRST = "-created_at"
    OLDEST_FIRST = "created_at"
    DUE_SOONEST = "due_at"
    DUE_LATEST = "-due_at"


class TodoListQuery(PageQuery):
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
        # The range is half-open, [due_after, due_before): equal or crossed bounds hold
        # nothing, which is a client mistake rather than a question with an empty answer.
        if (
            self.due_after is not None
            and self.due_before is not None
            and self.due_after >= self.due_before
        ):
            raise ValueError("due_after must be earlier than due_before")
        return self
