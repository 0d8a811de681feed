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
        # Any value that is not `*` or the current ETag is refused with 412, a malformed one
        # included: it names no version, so it cannot match (RFC 9110, 13.1.1).
        description="The ETag you last read (or `*`); the change is refused with 412 if it "
        "does not name the current version.",
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
TodoId = Annotated[
    uuid.UUID,
    Path(description="The todo's id.", examples=["3f0c1f5e-8a4b-4c47-9f3d-2b1e6a7c9d10"]),
]


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
