"""Factories for the todos tests: users with tokens, and todos made through the API."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from todo_common.testing.api import ApiCaller
from todo_common.testing.harness import TokenFactory

TODOS = "/api/v1/todos"
# Far enough ahead that no test's clock reaches it; due dates are offsets from here.
BASE_DUE = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)

Todo = dict[str, Any]


def todo_path(todo_id: str | uuid.UUID) -> str:
    return f"{TODOS}/{todo_id}"


def due(days: float) -> str:
    """An RFC 3339 due date `days` after `BASE_DUE`, as a client would send it."""
    return (BASE_DUE + timedelta(days=days)).isoformat()


class ApiUser(ApiCaller):
    """A user of the todos API."""

    collection = TODOS

    def create_todo(self, **fields: Any) -> Todo:
        body = {"title": "Buy milk", **fields}
        response = self.request("POST", TODOS, json=body)
        assert response.status_code == 201, response.text
        created: Todo = response.json()
        return created

    def create_todos(self, *bodies: dict[str, Any]) -> list[Todo]:
        return [self.create_todo(**body) for body in bodies]

    def get_todo(self, todo_id: str) -> httpx.Response:
        return self.request("GET", todo_path(todo_id))

    def etag_of(self, todo_id: str) -> str:
        response = self.get_todo(todo_id)
        assert response.status_code == 200, response.text
        return response.headers["ETag"]

    def list_ids(self, **params: Any) -> list[str]:
        return [todo["id"] for todo in self.list_all(**params)]


def new_user(client: TestClient, make_token: TokenFactory, role: str = "user") -> ApiUser:
    user_id = uuid.uuid4()
    return ApiUser(client=client, token=make_token(user_id, role=role), id=user_id)


def create_paging_set(user: ApiUser, count: int = 30) -> list[Todo]:
    """`count` todos whose due dates collide: every third undated, the rest on five dates.

    Shared due dates and undated todos are where keyset paging goes wrong (ties broken by
    id, nulls last in both directions), so listings of this set exercise every branch.
    """
    bodies: list[dict[str, Any]] = []
    for index in range(count):
        body: dict[str, Any] = {"title": f"Todo {index:02d}"}
        if index % 3 != 0:
            body["due_at"] = due(days=index % 5)
        bodies.append(body)
    return user.create_todos(*bodies)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def expected_order(todos: list[Todo], sort: str) -> list[str]:
    """The ids of `todos` in the order docs/api.md defines for `sort` (ties broken by id)."""
    descending = sort.startswith("-")
    key_name = sort.lstrip("-")
    # Keys compare as (has no key, key, id): undated todos last whichever the direction.
    dated = [todo for todo in todos if todo[key_name] is not None]
    undated = [todo for todo in todos if todo[key_name] is None]
    dated.sort(
        key=lambda todo: (parse_time(todo[key_name]), uuid.UUID(todo["id"])), reverse=descending
    )
    undated.sort(key=lambda todo: uuid.UUID(todo["id"]), reverse=descending)
    return [todo["id"] for todo in dated + undated]
