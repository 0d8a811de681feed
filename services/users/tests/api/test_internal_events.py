"""`POST /internal/events` of the users service: auth's `user.registered` makes the profile."""

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import ApiUser, email_of, registration, send_event, user_path
from todo_common.events.envelope import EVENTS_PATH
from todo_common.testing.assertions import (
    assert_problem,
    assert_unauthorized,
    assert_validation_problem,
)
from todo_common.testing.harness import TokenFactory, mint_service_token


class TestUserRegistered:
    def test_creates_the_profile(self, client: TestClient, admin: ApiUser) -> None:
        user_id = uuid.uuid4()

        response = send_event(client, "user.registered", registration(user_id, name="Ada"))

        assert response.status_code == 204
        assert admin.request("GET", user_path(user_id)).json() == {
            "id": str(user_id),
            "email": email_of(user_id),
            "name": "Ada",
            "created_at": "2020-01-02T03:04:05Z",
            "updated_at": "2020-01-02T03:04:05Z",
        }

    def test_redelivery_changes_nothing(self, client: TestClient, alice: ApiUser) -> None:
        event_id = uuid.uuid4()
        send_event(client, "user.registered", registration(alice.id), event_id=event_id)
        alice.request("PATCH", "/api/v1/users/me", json={"name": "Chosen Name"})
        edited = alice.me()

        response = send_event(
            client, "user.registered", registration(alice.id, name="Old"), event_id=event_id
        )

        assert response.status_code == 204
        assert alice.me() == edited

    def test_fills_in_a_profile_made_from_the_token(
        self, client: TestClient, alice: ApiUser
    ) -> None:
        stand_in = alice.me()

        send_event(client, "user.registered", registration(alice.id, name="Alice Liddell"))

        profile = alice.me()
        assert stand_in["name"] == alice.email.split("@")[0]
        assert profile["name"] == "Alice Liddell"
        assert profile["created_at"] == stand_in["created_at"]

    def test_does_not_overwrite_a_name_the_user_chose(
        self, client: TestClient, alice: ApiUser
    ) -> None:
        alice.request("PATCH", "/api/v1/users/me", json={"name": "Chosen Name"})

        send_event(client, "user.registered", registration(alice.id, name="Registered Name"))

        assert alice.me()["name"] == "Chosen Name"

    @pytest.mark.parametrize(
        ("change", "loc"),
        [
            ({"user_id": "not-a-uuid"}, "user_id"),
            ({"name": ""}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"registered_at": "2030-01-01T00:00:00"}, "registered_at"),
        ],
        ids=["user_id", "empty-name", "long-name", "naive-time"],
    )
    def test_invalid_payload_is_422_and_can_be_redelivered_fixed(
        self, client: TestClient, admin: ApiUser, change: dict[str, str], loc: str
    ) -> None:
        user_id, event_id = uuid.uuid4(), uuid.uuid4()

        response = send_event(
            client, "user.registered", {**registration(user_id), **change}, event_id=event_id
        )

        assert_validation_problem(response, "body", "payload", loc)
        # Nothing was recorded: the same event, once the producer sends it right, applies.
        fixed = send_event(client, "user.registered", registration(user_id), event_id=event_id)
        assert fixed.status_code == 204
        assert admin.request("GET", user_path(user_id)).status_code == 200


class TestUnknownEvents:
    def test_unknown_type_is_acknowledged_without_effect(
        self, client: TestClient, admin: ApiUser
    ) -> None:
        response = send_event(client, "user.renamed", {"user_id": str(uuid.uuid4())})

        assert response.status_code == 204
        assert admin.list_page()["items"] == []

    def test_malformed_envelope_is_422(self, client: TestClient) -> None:
        token = mint_service_token("auth", "users")

        response = client.post(
            EVENTS_PATH,
            json={"id": "nope", "type": "user.registered", "payload": {}},
            headers={"Authorization": f"Bearer {token}"},
        )

        assert_validation_problem(response, "body", "id")


class TestCallers:
    def test_without_token_is_401(self, client: TestClient) -> None:
        user_id = uuid.uuid4()

        assert_unauthorized(client.post(EVENTS_PATH, json=registration(user_id)))

    @pytest.mark.parametrize(
        "token",
        [
            mint_service_token("auth", "todos"),
            mint_service_token("auth", "users", lifetime=timedelta(seconds=-60)),
            mint_service_token("auth", "users", signing_key="x" * 40),
        ],
        ids=["for-another-service", "expired", "forged"],
    )
    def test_invalid_service_token_is_401_and_has_no_effect(
        self, client: TestClient, admin: ApiUser, token: str
    ) -> None:
        user_id = uuid.uuid4()

        assert_unauthorized(
            send_event(client, "user.registered", registration(user_id), token=token)
        )
        assert_problem(admin.request("GET", user_path(user_id)), 404)

    @pytest.mark.parametrize("role", ["user", "admin"])
    def test_user_token_is_403_and_has_no_effect(
        self, client: TestClient, make_token: TokenFactory, admin: ApiUser, role: str
    ) -> None:
        user_id = uuid.uuid4()
        token = make_token(user_id, role=role)

        assert_problem(
            send_event(client, "user.registered", registration(user_id), token=token), 403
        )
        assert_problem(admin.request("GET", user_path(user_id)), 404)

    def test_internal_routes_are_not_in_the_public_document(self, client: TestClient) -> None:
        document = client.get("/api/v1/users/openapi.json").json()

        assert "/api/v1/users/me" in document["paths"]
        assert not [path for path in document["paths"] if path.startswith("/internal")]
