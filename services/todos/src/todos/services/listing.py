"""Listing a user's todos: filters, sort orders, and keyset cursors.

Keyset (not offset) paging: each page continues strictly after the last row of the one
before, in a total order that ends with the id. So paging returns every matching todo
exactly once even while others are inserted, and a page costs the same at any depth.
"""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy import Connection, Engine, Row, Select, tuple_
from sqlmodel import col

from todo_common.pagination import cursor_datetime, decode_cursor, encode_cursor, invalid_cursor
from todo_common.search import contains_text
from todos.models import Todo
from todos.schemas.listing import TodoListQuery, TodoSort
from todos.schemas.todo import TodoPage, TodoPublic
from todos.services.owners import ensure_active_owner
from todos.services.todos import PUBLIC_COLUMNS

_DESCENDING = {TodoSort.NEWEST_FIRST, TodoSort.DUE_LATEST}
_BY_CREATION = {TodoSort.NEWEST_FIRST, TodoSort.OLDEST_FIRST}

# A page's items validated in one call from plain dicts: several times cheaper than one
# from-attributes validation per row.
_ITEMS = TypeAdapter(list[TodoPublic])

# Where a page ends: the sort key of its last todo (None for an undated one) and its id.
_Position = tuple[datetime | None, uuid.UUID]


def list_todos(reads: Engine, *, owner_id: uuid.UUID, query: TodoListQuery) -> TodoPage:
    """One page, read on the autocommit engine (`todo_common.database.read_only`): each of
    its SELECTs sees the table as it is then, which keyset paging tolerates anyway."""
    base = _filtered(sa.select(*PUBLIC_COLUMNS).where(col(Todo.owner_id) == owner_id), query)
    position = _position(query.cursor, query.sort) if query.cursor is not None else None
    wanted = query.limit + 1  # one more than a page tells whether another page follows
    with reads.connect() as connection:
        ensure_active_owner(connection, owner_id=owner_id)
        if query.sort in _BY_CREATION:
            statement = _dated_run(base, col(Todo.created_at), query.sort, position)
            rows = _fetch(connection, statement, wanted)
        else:
            rows = _due_ordered_rows(connection, base, query.sort, position, wanted)

    items = _ITEMS.validate_python([row._asdict() for row in rows[: query.limit]])
    has_more = len(rows) > query.limit
    # Both parts are validated already: construct, do not validate the page again.
    return TodoPage.model_construct(
        items=items,
        next_cursor=cursor_after(items[-1], query.sort) if has_more else None,
    )


def _due_ordered_rows(
    connection: Connection,
    base: Select[Any],
    sort: TodoSort,
    position: _Position | None,
    wanted: int,
) -> list[Row[Any]]:
    # Undated todos come last in both directions. Reading the dated run and then the
    # undated run as two queries keeps each one an index range scan; a single query
    # with `OR due_at IS NULL` in its keyset condition cannot use the index that way.
    rows: list[Row[Any]] = []
    in_undated_run = position is not None and position[0] is None
    if not in_undated_run:
        dated = _dated_run(
            base.where(col(Todo.due_at).is_not(None)), col(Todo.due_at), sort, position
        )
        rows = _fetch(connection, dated, wanted)
    if len(rows) < wanted:
        after_id = position[1] if in_undated_run and position is not None else None
        undated = _undated_run(base.where(col(Todo.due_at).is_(None)), sort, after_id)
        rows += _fetch(connection, undated, wanted - len(rows))
    return rows


def _dated_run(
    statement: Select[Any],
    key: Any,
    sort: TodoSort,
    position: _Position | None,
) -> Select[Any]:
    descending = sort in _DESCENDING
    todo_id = col(Todo.id)
    if position is not None:
        row, bound = tuple_(key, todo_id), tuple_(position[0], position[1])
        statement = statement.where(row < bound if descending else row > bound)
    if descending:
        return statement.order_by(key.desc(), todo_id.desc())
    return statement.order_by(key.asc(), todo_id.asc())


def _undated_run(statement: Select[Any], sort: TodoSort, after_id: uuid.UUID | None) -> Select[Any]:
    descending = sort in _DESCENDING
    todo_id = col(Todo.id)
    if after_id is not None:
        statement = statement.where(todo_id < after_id if descending else todo_id > after_id)
    return statement.order_by(todo_id.desc() if descending else todo_id.asc())


def _fetch(connection: Connection, statement: Select[Any], limit: int) -> list[Row[Any]]:
    return list(connection.execute(statement.limit(limit)))


def _filtered(statement: Select[Any], query: TodoListQuery) -> Select[Any]:
    if query.completed is not None:
        statement = statement.where(col(Todo.completed) == query.completed)
    if query.priority is not None:
        statement = statement.where(col(Todo.priority) == query.priority)
    if query.due_before is not None:
        statement = statement.where(col(Todo.due_at) < query.due_before)
    if query.due_after is not None:
        statement = statement.where(col(Todo.due_at) >= query.due_after)
    if query.q is not None:
        statement = statement.where(contains_text(query.q, col(Todo.title), col(Todo.description)))
    return statement


def cursor_after(todo: TodoPublic, sort: TodoSort) -> str:
    """The cursor of the page that follows `todo` in `sort` order."""
    value = todo.created_at if sort in _BY_CREATION else todo.due_at
    return encode_cursor(
        {"sort": sort.value, "value": value.isoformat() if value else None, "id": str(todo.id)}
    )


def _position(cursor: str, sort: TodoSort) -> _Position:
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
        last_id = uuid.UUID(raw_id)
    except ValueError:
        raise invalid_cursor() from None
    if raw_value is None:
        if sort in _BY_CREATION:
            raise invalid_cursor()
        return None, last_id
    value = cursor_datetime(raw_value)
    return value, last_id
