"""Dependencies of the todos routes."""

import uuid
from typing import Annotated

from fastapi import Depends, Header, Path

from todo_common.database import ReadEngineDep
from todo_common.security.dependencies import CurrentUser
from todos.services.todos import TodoSnapshot, get_todo

IfMatch = Annotated[
    str | None,
    Header(
        max_length=1024,
        description="The ETag you last read; the change is refused with 412 if it is stale.",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="A unique key per intended create; a retry with the same key returns "
        "the first result instead of creating another todo.",
    ),
]
TodoId = Annotated[uuid.UUID, Path(description="The todo's id.")]


def get_owned_todo(todo_id: TodoId, reads: ReadEngineDep, user: CurrentUser) -> TodoSnapshot:
    return get_todo(reads, owner_id=user.user_id, todo_id=todo_id)


TodoDep = Annotated[TodoSnapshot, Depends(get_owned_todo)]
