"""Listing a user's todos: filters, sort orders, and keyset cursors.

Keyset (not offset) paging: each page continues strictly after the last row of the one
before, in a total order that ends with the id. So paging returns every matching todo
exactly once even while others are inserted, and a page costs the same at any depth.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, tuple_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from todo_common.pagination import decode_cursor, encode_cursor, invalid_cursor
from todos.models import Todo
from todos.schemas.listing import TodoListQuery, TodoSort
from todos.schemas.todo import TodoPage, TodoPublic

_DESCENDING = {TodoSort.NEWEST_FIRST, TodoSort.DUE_LATEST}


def list_todos(session: Session, *, owner_id: uuid.UUID, query: TodoListQuery) -> TodoPage:
    statement = _filtered(select(Todo).where(Todo.owner_id == owner_id), query)
    if query.cursor is not None:
        statement = statement.where(_after(query.sort, _position(query.cursor, query.sort)))
    statement = statement.order_by(*_ordering(query.sort)).limit(query.limit + 1)

    rows = list(session.exec(statement))
    page, has_more = rows[: query.limit], len(rows) > query.limit
    next_cursor = _cursor_after(page[-1], query.sort) if has_more else None
    return TodoPage(
        items=[TodoPublic.model_validate(todo) for todo in page], next_cursor=next_cursor
    )


def _filtered(statement: SelectOfScalar[Todo], query: TodoListQuery) -> SelectOfScalar[Todo]:
    if query.completed is not None:
        statement = statement.where(Todo.completed == query.completed)
    if query.priority is not None:
        statement = statement.where(Todo.priority == query.priority)
    if query.due_before is not None:
        statement = statement.where(col(Todo.due_at) < query.due_before)
    if query.due_after is not None:
        statement = statement.where(col(Todo.due_at) >= query.due_after)
    if query.q is not None:
        pattern = f"%{_escape_like(query.q)}%"
        statement = statement.where(
            or_(
                col(Todo.title).ilike(pattern, escape="\\"),
                col(Todo.description).ilike(pattern, escape="\\"),
            )
        )
    return statement


def _escape_like(text: str) -> str:
    # The user searches for text, not for LIKE patterns.
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ordering(sort: TodoSort) -> list[Any]:
    descending = sort in _DESCENDING
    tiebreak = col(Todo.id).desc() if descending else col(Todo.id).asc()
    if sort in (TodoSort.NEWEST_FIRST, TodoSort.OLDEST_FIRST):
        created_at = col(Todo.created_at)
        return [created_at.desc() if descending else created_at.asc(), tiebreak]
    # Todos without a due date come last in both directions.
    due_at = col(Todo.due_at)
    return [(due_at.desc() if descending else due_at.asc()).nulls_last(), tiebreak]


def _after(sort: TodoSort, position: tuple[datetime | None, uuid.UUID]) -> ColumnElement[bool]:
    value, last_id = position
    descending = sort in _DESCENDING
    todo_id = col(Todo.id)
    if sort in (TodoSort.NEWEST_FIRST, TodoSort.OLDEST_FIRST):
        row, bound = tuple_(col(Todo.created_at), todo_id), tuple_(value, last_id)
        return row < bound if descending else row > bound

    due_at = col(Todo.due_at)
    id_after = todo_id < last_id if descending else todo_id > last_id
    if value is None:
        # Already in the trailing run of undated todos: continue within it by id.
        return and_(due_at.is_(None), id_after)
    return or_(
        due_at < value if descending else due_at > value,
        and_(due_at == value, id_after),
        due_at.is_(None),
    )


def _cursor_after(todo: Todo, sort: TodoSort) -> str:
    value = (
        todo.created_at if sort in (TodoSort.NEWEST_FIRST, TodoSort.OLDEST_FIRST) else todo.due_at
    )
    return encode_cursor(
        {"sort": sort.value, "value": value.isoformat() if value else None, "id": str(todo.id)}
    )


def _position(cursor: str, sort: TodoSort) -> tuple[datetime | None, uuid.UUID]:
    position = decode_cursor(cursor)
    # A cursor continues the ordering it was made for; under another sort it means nothing.
    if position.get("sort") != sort.value:
        raise invalid_cursor()
    raw_value, raw_id = position.get("value"), position.get("id")
    # A forged cursor can hold any JSON, and uuid.UUID(5) raises AttributeError, not
    # ValueError: check the shape before parsing.
    if "value" not in position or not isinstance(raw_value, str | None):
        raise invalid_cursor()
    if not isinstance(raw_id, str):
        raise invalid_cursor()
    try:
        value = datetime.fromisoformat(raw_value) if raw_value is not None else None
        last_id = uuid.UUID(raw_id)
    except ValueError:
        raise invalid_cursor() from None
    if value is None and sort in (TodoSort.NEWEST_FIRST, TodoSort.OLDEST_FIRST):
        raise invalid_cursor()
    if value is not None and value.tzinfo is None:
        raise invalid_cursor()
    return value, last_id
