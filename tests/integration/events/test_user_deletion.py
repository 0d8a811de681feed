"""Deleting a user in the users service removes their todos in the todos service, by events.

users writes `user.deleted` to its outbox with the deletion; its relay POSTs it to todos'
`/internal/events` with a service token; todos deletes the user's todos once per event.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.integration.events.conftest import Stack
from todo_common.testing.harness import TokenFactory, query
from todo_common.testing.waiting import eventually

TODOS = "/api/v1/todos"
USERS = "/api/v1/users"


@dataclass
class Caller:
    """A user of the stack, calling the services' own ports as the gateway would."""

    stack: Stack
    id: uuid.UUID
    token: str

    def call(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        base_url = getattr(self.stack, service).url
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.request(method, base_url + path, headers=headers, timeout=10, **kwargs)

    def create_todos(self, count: int) -> list[dict[str, Any]]:
        created = []
        for index in range(count):
            response = self.call("todos", "POST", TODOS, json={"title": f"todo {index}"})
            assert response.status_code == 201, response.text
            created.append(response.json())
        return created

    def todos(self) -> list[dict[str, Any]]:
        """The caller's todos, oldest first (the order `create_todos` returns them in)."""
        response = self.call("todos", "GET", TODOS, params={"limit": 100, "sort": "created_at"})
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


def erased(stack: Stack, user: Caller) -> bool:
    """Todos has applied `user.deleted`: the account is refused and none of its rows is left."""
    refused = user.call("todos", "GET", TODOS).status_code == 401
    [row] = query(
        stack.todos.database_url,
        "SELECT count(*) AS left FROM todos.todo WHERE owner_id = %s",
        (str(user.id),),
    )
    return refused and row["left"] == 0


def caller(stack: Stack, make_token: TokenFactory, role: str = "user") -> Caller:
    user_id = uuid.uuid4()
    token = make_token(user_id, role=role, email=f"{user_id.hex[:10]}@example.com")
    return Caller(stack=stack, id=user_id, token=token)


def deletion_messages(stack: Stack, user_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The users outbox's `user.deleted` messages for todos about `user_ids`."""
    return query(
        stack.users.database_url,
        "SELECT event_id, attempts, delivered_at, last_error FROM users.outbox_message"
        " WHERE event_type = 'user.deleted' AND subscriber = 'todos'"
        " AND payload->>'user_id' = ANY(%s)",
        ([str(user_id) for user_id in user_ids],),
    )


def processed_by_todos(stack: Stack, event_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    return query(
        stack.todos.database_url,
        "SELECT event_id FROM todos.processed_event WHERE event_id = ANY(%s::uuid[])",
        ([str(event_id) for event_id in event_ids],),
    )


def test_deleting_a_user_removes_their_todos_in_the_todos_service(
    stack: Stack, make_token: TokenFactory
) -> None:
    alice, bob = caller(stack, make_token), caller(stack, make_token)
    alice.create_todos(3)
    bobs = bob.create_todos(2)
    assert alice.call("users", "GET", f"{USERS}/me").status_code == 200

    assert alice.call("users", "DELETE", f"{USERS}/me").status_code == 204

    eventually(lambda: erased(stack, alice), what="alice's todos are deleted")
    assert bob.todos() == bobs
    [message] = deletion_messages(stack, [alice.id])
    assert message["delivered_at"] is not None
    assert len(processed_by_todos(stack, [message["event_id"]])) == 1


def test_admin_deletion_removes_the_users_todos(stack: Stack, make_token: TokenFactory) -> None:
    admin, carol = caller(stack, make_token, role="admin"), caller(stack, make_token)
    carol.create_todos(2)
    carol.call("users", "GET", f"{USERS}/me")

    assert admin.call("users", "DELETE", f"{USERS}/{carol.id}").status_code == 204

    eventually(lambda: erased(stack, carol), what="carol's todos are deleted")


def test_a_subscriber_that_was_down_gets_every_event_once_back(
    stack: Stack, make_token: TokenFactory
) -> None:
    leaving = [caller(stack, make_token) for _ in range(3)]
    staying = caller(stack, make_token)
    for user in leaving:
        user.create_todos(2)
    kept = staying.create_todos(1)
    leaving_ids = [user.id for user in leaving]

    stack.todos.stop()
    try:
        for user in leaving:
            assert user.call("users", "DELETE", f"{USERS}/me").status_code == 204

        # While todos is down, every delivery fails and is retried, with backoff.
        def retried_while_down() -> bool:
            messages = deletion_messages(stack, leaving_ids)
            return len(messages) == 3 and all(
                message["attempts"] >= 2 and message["delivered_at"] is None for message in messages
            )

        eventually(retried_while_down, what="every delivery to todos failed at least twice")
        assert all("ConnectError" in m["last_error"] for m in deletion_messages(stack, leaving_ids))
        # An operator sees the backlog in the relay's periodic log line.
        eventually(
            lambda: any(
                line["message"] == "outbox lag"
                and line["outbox_waiting_by_subscriber"].get("todos", 0) >= 3
                for line in stack.users.log_lines()
            ),
            what="the users relay reports the waiting messages",
        )
    finally:
        stack.todos.start()

    eventually(
        lambda: all(m["delivered_at"] for m in deletion_messages(stack, leaving_ids)),
        what="every waiting event is delivered once todos is back",
    )
    for user in leaving:
        assert erased(stack, user)
    assert staying.todos() == kept
    event_ids = [message["event_id"] for message in deletion_messages(stack, leaving_ids)]
    assert len(set(event_ids)) == 3
    assert len(processed_by_todos(stack, event_ids)) == 3

    # Once in effect: the relay delivers at least once, so make it deliver one event
    # again. It is acknowledged and recorded once, and changes no one else's todos.
    returning = leaving[0]
    [redelivered] = deletion_messages(stack, [returning.id])
    query(
        stack.users.database_url,
        "UPDATE users.outbox_message SET delivered_at = NULL, next_attempt_at = now()"
        " WHERE event_id = %s AND subscriber = 'todos' RETURNING id",
        (str(redelivered["event_id"]),),
    )
    eventually(
        lambda: deletion_messages(stack, [returning.id])[0]["delivered_at"] is not None,
        what="the repeated event is delivered",
    )
    assert deletion_messages(stack, [returning.id])[0]["attempts"] > redelivered["attempts"]
    assert len(processed_by_todos(stack, [redelivered["event_id"]])) == 1
    assert erased(stack, returning)
    assert staying.todos() == kept
