"""`POST /internal/events` of the todos service: `user.deleted` removes the user's todos."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.fixtures import TODOS, ApiUser
from todo_common.events.envelope import EVENTS_PATH
from todo_common.testing.assertions import (
    assert_problem,
    assert_unauthorized,
    assert_validation_problem,
)
from todo_common.testing.harness import TokenFactory, mint_service_token


def user_deleted(
    client: TestClient,
    user_id: uuid.UUID | str,
    *,
    event_id: uuid.UUID | None = None,
    token: str | None = None,
    payload: dict[str, Any] | None = None,
) -> httpx.Response:
    """Deliver `user.deleted` as the users service's relay would."""
    envelope = {
        "id": str(event_id or uuid.uuid4()),
        "type": "user.deleted",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": payload if payload is not None else {"user_id": str(user_id)},
    }
    bearer = token if token is not None else mint_service_token("users", "todos")
    return client.post(EVENTS_PATH, json=envelope, headers={"Authorization": f"Bearer {bearer}"})


class TestUserDeleted:
    def test_removes_every_todo_of_the_user_and_no_one_elses(
        self, client: TestClient, alice: ApiUser, bob: ApiUser
    ) -> None:
        alice.create_todos(*({"title": f"a{index}"} for index in range(3)))
        bobs = bob.create_todos({"title": "b"})

        response = user_deleted(client, alice.id)

        assert response.status_code == 204
        assert alice.list_all() == []
        assert bob.list_all() == bobs

    def test_forgets_the_users_idempotency_keys(self, client: TestClient, alice: ApiUser) -> None:
        key = {"Idempotency-Key": "create-once"}
        first = alice.request("POST", TODOS, json={"title": "Milk"}, headers=key)
        user_deleted(client, alice.id)

        again = alice.request("POST", TODOS, json={"title": "Milk"}, headers=key)

        assert again.status_code == 201
        assert "Idempotent-Replayed" not in again.headers
        assert again.json()["id"] != first.json()["id"]

    def test_redelivery_changes_nothing(self, client: TestClient, alice: ApiUser) -> None:
        event_id = uuid.uuid4()
        alice.create_todo(title="before")
        user_deleted(client, alice.id, event_id=event_id)
        # Whatever exists now was not covered by that event.
        after = alice.create_todo(title="after")

        response = user_deleted(client, alice.id, event_id=event_id)

        assert response.status_code == 204
        assert alice.list_all() == [after]

    def test_user_without_todos_is_acknowledged(self, client: TestClient) -> None:
        assert user_deleted(client, uuid.uuid4()).status_code == 204

    @pytest.mark.parametrize("payload", [{}, {"user_id": "not-a-uuid"}, {"user_id": None}], ids=str)
    def test_invalid_payload_is_422_and_removes_nothing(
        self, client: TestClient, alice: ApiUser, payload: dict[str, Any]
    ) -> None:
        todos = alice.create_todos({"title": "kept"})

        response = user_deleted(client, alice.id, payload=payload)

        assert_validation_problem(response, "body", "payload", "user_id")
        assert alice.list_all() == todos


class TestCallers:
    def test_without_token_is_401(self, client: TestClient, alice: ApiUser) -> None:
        todos = alice.create_todos({"title": "kept"})

        assert_unauthorized(client.post(EVENTS_PATH, json={"user_id": str(alice.id)}))
        assert alice.list_all() == todos

    def test_service_token_for_another_service_is_401(
        self, client: TestClient, alice: ApiUser
    ) -> None:
        todos = alice.create_todos({"title": "kept"})
        token = mint_service_token("users", "auth")

        assert_unauthorized(user_deleted(client, alice.id, token=token))
        assert alice.list_all() == todos

    def test_user_token_is_403_even_for_their_own_id(
        self, client: TestClient, alice: ApiUser
    ) -> None:
        todos = alice.create_todos({"title": "kept"})

        assert_problem(user_deleted(client, alice.id, token=alice.token), 403)
        assert alice.list_all() == todos

    def test_admin_token_is_403(
        self, client: TestClient, make_token: TokenFactory, alice: ApiUser
    ) -> None:
        todos = alice.create_todos({"title": "kept"})

        response = user_deleted(client, alice.id, token=make_token(role="admin"))

        assert_problem(response, 403)
        assert alice.list_all() == todos
