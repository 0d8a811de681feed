"""Reading and changing one user's todos."""

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from todo_common.etags import require_match
from todo_common.tables import utc_now
from todos.models import Todo
from todos.schemas.todo import TodoCreate, TodoPublic, TodoReplace, TodoUpdate
from todos.services.errors import TodoNotFound
from todos.services.owners import ensure_active_owner


@dataclass(frozen=True)
class TodoSnapshot:
    """A todo as a client sees it, with the version its ETag is made from."""

    todo: TodoPublic
    version: int

    @classmethod
    def of(cls, todo: Any) -> "TodoSnapshot":
        """From a `Todo` or a row of `PUBLIC_COLUMNS`."""
        return cls(todo=TodoPublic.model_validate(todo), version=todo.version)


# What a read selects: the columns a client sees and the version, no ORM objects (a Core
# row costs a fraction of loading an entity into the session).
PUBLIC_COLUMNS = (
    *(getattr(Todo, name) for name in TodoPublic.model_fields),
    Todo.version,
)


# Built once: the statement (and its cache key) is the same for every request.
_ONE_TODO = sa.select(*PUBLIC_COLUMNS).where(
    col(Todo.id) == sa.bindparam("todo_id"), col(Todo.owner_id) == sa.bindparam("owner_id")
)


def get_todo(reads: Engine, *, owner_id: uuid.UUID, todo_id: uuid.UUID) -> TodoSnapshot:
    """The caller's todo; another user's todo is "not found", so ids reveal nothing.

    One SELECT on the autocommit engine (`todo_common.database.read_only`).
    """
    with reads.connect() as connection:
        ensure_active_owner(connection, owner_id=owner_id)
        row = connection.execute(_ONE_TODO, {"todo_id": todo_id, "owner_id": owner_id}).first()
    if row is None:
        raise TodoNotFound()
    return TodoSnapshot.of(row)


def insert_todo(session: Session, *, owner_id: uuid.UUID, data: TodoCreate) -> TodoSnapshot:
    # A Core INSERT of the values the client sees: nothing is read back, so the ORM's unit
    # of work (an entity, its identity map, a flush) would be cost without use.
    now = utc_now()
    values = {
        "id": uuid.uuid4(),
        "owner_id": owner_id,
        **data.model_dump(),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    session.execute(sa.insert(Todo).values(values))
    return TodoSnapshot(TodoPublic.model_validate(values), version=1)


def replace_todo(
    session: Session,
    *,
    owner_id: uuid.UUID,
    todo_id: uuid.UUID,
    data: TodoReplace,
    if_match: str | None,
) -> Todo:
    return _change(session, owner_id, todo_id, data.model_dump(), if_match)


def update_todo(
    session: Session,
    *,
    owner_id: uuid.UUID,
    todo_id: uuid.UUID,
    changes: TodoUpdate,
    if_match: str | None,
) -> Todo:
    return _change(session, owner_id, todo_id, changes.model_dump(exclude_unset=True), if_match)


def delete_todo(
    session: Session, *, owner_id: uuid.UUID, todo_id: uuid.UUID, if_match: str | None
) -> None:
    todo = _owned_todo(session, owner_id=owner_id, todo_id=todo_id)
    require_match(if_match, todo.version)
    session.delete(todo)
    session.flush()


def _change(
    session: Session,
    owner_id: uuid.UUID,
    todo_id: uuid.UUID,
    values: dict[str, object],
    if_match: str | None,
) -> Todo:
    # The row lock makes check-then-write atomic: two writers holding the same ETag cannot
    # both pass the If-Match check.
    todo = _owned_todo(session, owner_id=owner_id, todo_id=todo_id)
    require_match(if_match, todo.version)
    for field, value in values.items():
        setattr(todo, field, value)
    todo.version += 1
    todo.updated_at = utc_now()
    session.add(todo)
    session.flush()
    return todo


def _owned_todo(session: Session, *, owner_id: uuid.UUID, todo_id: uuid.UUID) -> Todo:
    """The owner's todo, locked for the change about to be made to it."""
    statement = select(Todo).where(Todo.id == todo_id, Todo.owner_id == owner_id)
    todo = session.exec(statement.with_for_update()).first()
    if todo is None:
        raise TodoNotFound()
    return todo
