"""Dependencies of the todos routes."""

import uuid
from typing import Annotated

from fastapi import Depends, Header, Path

from todo_common.database import ReadEngineDep, SessionDep
from todo_common.security.dependencies import CurrentUser, Principal
from todos.services.owners import ensure_active_owner
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


def get_active_owner(user: CurrentUser, session: SessionDep) -> Principal:
    # One statement per request: a deleted account is refused here (services/owners.py).
    ensure_active_owner(session, owner_id=user.user_id)
    return user


# The caller, whose account still exists: what every todos route takes instead of
# CurrentUser.
ActiveOwner = Annotated[Principal, Depends(get_active_owner)]


def get_owned_todo(todo_id: TodoId, reads: ReadEngineDep, user: CurrentUser) -> TodoSnapshot:
    # The owner check runs in the read's own connection (services.todos.get_todo).
    return get_todo(reads, owner_id=user.user_id, todo_id=todo_id)


TodoDep = Annotated[TodoSnapshot, Depends(get_owned_todo)]
