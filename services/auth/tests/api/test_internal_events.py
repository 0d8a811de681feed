"""`POST /internal/events` of the auth service: `user.deleted` removes the account."""

import uuid
from datetime import UTC, datetime

import httpx
from fastapi.testclient import TestClient

from tests.fixtures import AuthUser, refresh
from todo_common.events.envelope import EVENTS_PATH
from todo_common.testing.assertions import assert_problem, assert_unauthorized
from todo_common.testing.harness import mint_service_token


def user_deleted(
    client: TestClient,
    user_id: str,
    *,
    event_id: uuid.UUID | None = None,
    token: str | None = None,
) -> httpx.Response:
    """Deliver `user.deleted` as the users service's relay would."""
    envelope = {
        "id": str(event_id or uuid.uuid4()),
        "type": "user.deleted",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": {"user_id": user_id},
    }
    bearer = token if token is not None else mint_service_token("users", "auth")
    return client.post(EVENTS_PATH, json=envelope, headers={"Authorization": f"Bearer {bearer}"})


class TestUserDeleted:
    def test_the_account_can_no_longer_log_in(self, client: TestClient, alice: AuthUser) -> None:
        response = user_deleted(client, alice.id)

        assert response.status_code == 204
        assert_unauthorized(alice.login())

    def test_its_refresh_tokens_stop_working(self, client: TestClient, alice: AuthUser) -> None:
        tokens = alice.tokens()

        user_deleted(client, alice.id)

        assert_unauthorized(refresh(client, tokens["refresh_token"]))

    def test_other_accounts_are_untouched(
        self, client: TestClient, alice: AuthUser, bob: AuthUser
    ) -> None:
        user_deleted(client, alice.id)

        assert bob.login().status_code == 200

    def test_the_email_can_register_again(self, client: TestClient, alice: AuthUser) -> None:
        user_deleted(client, alice.id)

        again = client.post(
            "/api/v1/auth/register",
            json={"email": alice.email, "password": alice.password, "name": "Alice again"},
        )

        assert again.status_code == 201
        assert again.json()["id"] != alice.id

    def test_redelivery_and_unknown_accounts_are_acknowledged(
        self, client: TestClient, alice: AuthUser
    ) -> None:
        event_id = uuid.uuid4()
        assert user_deleted(client, alice.id, event_id=event_id).status_code == 204
        assert user_deleted(client, alice.id, event_id=event_id).status_code == 204
        assert user_deleted(client, str(uuid.uuid4())).status_code == 204


class TestCallers:
    def test_a_users_token_is_403(self, client: TestClient, alice: AuthUser) -> None:
        access_token = alice.tokens()["access_token"]

        response = user_deleted(client, alice.id, token=access_token)

        assert_problem(response, 403)
        assert alice.login().status_code == 200

    def test_a_service_token_for_another_service_is_401(
        self, client: TestClient, alice: AuthUser
    ) -> None:
        response = user_deleted(client, alice.id, token=mint_service_token("users", "todos"))

        assert_unauthorized(response)
        assert alice.login().status_code == 200
