"""A subscriber down for a minute: its events wait in the outbox, then arrive, in effect once.

todos (the subscriber of users' `user.deleted`) is stopped; three users delete their
accounts meanwhile. The relay in users keeps retrying with its backoff (capped at
OUTBOX_RETRY_MAX_SECONDS); once todos is back, each deletion takes effect, once.
FAILURE_SUBSCRIBER_DOWN_SECONDS sets how long todos stays down (60 by default).
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import httpx

from devstack.stack import Stack
from tests.failure.conftest import OUTBOX_RETRY_MAX_SECONDS, bearer, query
from tests.failure.load import HTTP_TROUBLE
from todo_common.testing.waiting import holds_within

DOWN_SECONDS = float(os.environ.get("FAILURE_SUBSCRIBER_DOWN_SECONDS", "60"))
TODOS = "/api/v1/todos"
ME = "/api/v1/users/me"


def deletion_messages(stack: Stack, user_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    return query(
        stack,
        "users",
        "SELECT event_id, attempts, delivered_at, last_error FROM users.outbox_message"
        " WHERE event_type = 'user.deleted' AND subscriber = 'todos'"
        " AND payload->>'user_id' = ANY(%s)",
        ([str(user_id) for user_id in user_ids],),
    )


def todo_count(stack: Stack, owner: uuid.UUID) -> int:
    [row] = query(
        stack, "todos", "SELECT count(*) AS n FROM todos.todo WHERE owner_id = %s", (str(owner),)
    )
    return int(row["n"])


def processed(stack: Stack, event_ids: list[Any]) -> list[dict[str, Any]]:
    return query(
        stack,
        "todos",
        "SELECT event_id FROM todos.processed_event WHERE event_id = ANY(%s::uuid[])",
        ([str(event_id) for event_id in event_ids],),
    )


def test_events_for_a_subscriber_down_a_minute_arrive_afterwards_once(
    stack: Stack, client: httpx.Client
) -> None:
    assert 1 <= DOWN_SECONDS <= 600, "FAILURE_SUBSCRIBER_DOWN_SECONDS: between 1 and 600"
    leaving = [uuid.uuid4() for _ in range(3)]
    staying = uuid.uuid4()
    for user_id in [*leaving, staying]:
        headers = bearer(stack, user_id)
        assert client.get(ME, headers=headers).status_code == 200
        for index in range(2):
            made = client.post(TODOS, json={"title": f"todo {index}"}, headers=headers)
            assert made.status_code == 201, made.text

    stack.stop_service("todos")
    stopped_at = time.monotonic()
    for user_id in leaving:
        assert client.delete(ME, headers=bearer(stack, user_id)).status_code == 204
    # Down for the whole spell; meanwhile every delivery fails and is retried.
    time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - stopped_at)))
    waiting = deletion_messages(stack, leaving)
    assert len(waiting) == 3
    assert all(message["delivered_at"] is None for message in waiting)
    assert all(message["attempts"] >= 2 for message in waiting)
    assert all("ConnectError" in message["last_error"] for message in waiting)

    stack.start_service("todos")
    # The next retry is at most the backoff's cap away (plus jitter and a poll).
    assert holds_within(
        lambda: all(m["delivered_at"] for m in deletion_messages(stack, leaving)),
        within=OUTBOX_RETRY_MAX_SECONDS * 2 + 10,
        ignoring=HTTP_TROUBLE,
    ), "the waiting events were not delivered once todos was back"

    assert [todo_count(stack, user_id) for user_id in leaving] == [0, 0, 0]
    assert todo_count(stack, staying) == 2
    event_ids = [message["event_id"] for message in deletion_messages(stack, leaving)]
    assert len(set(event_ids)) == 3
    assert len(processed(stack, event_ids)) == 3

    # At least once on the wire, once in effect: deliver one of them again, as a relay whose
    # acknowledgement was lost would. todos acknowledges it and changes nothing.
    repeated = event_ids[0]
    [before] = query(
        stack,
        "users",
        "UPDATE users.outbox_message SET delivered_at = NULL, next_attempt_at = now()"
        " WHERE event_id = %s AND subscriber = 'todos' RETURNING attempts",
        (str(repeated),),
    )
    assert holds_within(
        lambda: all(m["delivered_at"] for m in deletion_messages(stack, leaving)),
        within=20,
        ignoring=HTTP_TROUBLE,
    )
    [again] = [m for m in deletion_messages(stack, leaving) if m["event_id"] == repeated]
    assert again["attempts"] == before["attempts"] + 1
    assert len(processed(stack, [repeated])) == 1
    assert todo_count(stack, staying) == 2
    listing = client.get(TODOS, headers=bearer(stack, staying))
    assert [todo["title"] for todo in listing.json()["items"]] == ["todo 1", "todo 0"]
