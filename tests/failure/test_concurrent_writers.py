"""Concurrent writers across two processes of todos on one database.

The services' own tests race threads inside one process (services/todos/tests/api/
test_concurrency.py, test_idempotency.py). Here the racers reach two uvicorn processes,
each with its own connection pool, as two replicas behind a load balancer would: one
through the gateway, one on its own port. Only the database can keep the rules.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from devstack.stack import Stack
from tests.failure.conftest import bearer
from todo_common.testing.waiting import at_once

TODOS = "/api/v1/todos"
RACERS = 8


@pytest.fixture(scope="module")
def second_todos(start_replica: Callable[..., str]) -> str:
    return start_replica("todos")


def _base_urls(stack: Stack, second_todos: str) -> list[str]:
    """Alternately the gateway (the stack's todos) and the second process."""
    return [stack.gateway_ports.url if index % 2 == 0 else second_todos for index in range(RACERS)]


def test_writers_with_the_same_if_match_let_exactly_one_through(
    stack: Stack, second_todos: str
) -> None:
    headers = bearer(stack)
    created = httpx.post(
        f"{second_todos}{TODOS}", json={"title": "original"}, headers=headers, timeout=10
    )
    assert created.status_code == 201, created.text
    path = f"{TODOS}/{created.json()['id']}"
    etag = created.headers["ETag"]

    responses = at_once(
        lambda racer: httpx.patch(
            f"{racer[1]}{path}",
            json={"title": f"writer {racer[0]}"},
            headers={**headers, "If-Match": etag},
            timeout=30,
        ),
        list(enumerate(_base_urls(stack, second_todos))),
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [412] * (RACERS - 1)
    for loser in (response for response in responses if response.status_code == 412):
        assert loser.headers["content-type"] == "application/problem+json"
    [winner] = [response for response in responses if response.status_code == 200]
    for base_url in (stack.gateway_ports.url, second_todos):
        now = httpx.get(f"{base_url}{path}", headers=headers, timeout=10)
        assert now.json() == winner.json()
        assert now.headers["ETag"] == winner.headers["ETag"]


def test_retries_of_one_idempotency_key_create_one_todo(stack: Stack, second_todos: str) -> None:
    headers = {**bearer(stack), "Idempotency-Key": "one-key-two-processes"}

    responses = at_once(
        lambda base_url: httpx.post(
            f"{base_url}{TODOS}", json={"title": "once"}, headers=headers, timeout=30
        ),
        _base_urls(stack, second_todos),
    )

    assert [response.status_code for response in responses] == [201] * RACERS
    assert len({response.json()["id"] for response in responses}) == 1
    replayed = [response.headers.get("Idempotent-Replayed") for response in responses]
    assert replayed.count("true") == RACERS - 1
    listing = httpx.get(f"{second_todos}{TODOS}", headers=headers, timeout=10).json()
    assert [todo["title"] for todo in listing["items"]] == ["once"]
