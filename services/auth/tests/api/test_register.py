"""`POST /api/v1/auth/register`, as a client sees it."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth.core.config import AuthSettings
from tests.fixtures import (
    PASSWORD_TEXT,
    REGISTER,
    ClientFactory,
    accounts_with_email,
    new_user,
    outbox_messages,
    register,
)
from todo_common.testing.assertions import assert_problem, assert_validation_problem

INVALID_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"password": "x" * 7}, "password"),
    ({"password": "x" * 129}, "password"),
    ({"password": 12345678}, "password"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "two@@example.com"}, "email"),
    ({"email": "nobody@"}, "email"),
    ({"email": "x" * 250 + "@example.com"}, "email"),
    ({"name": ""}, "name"),
    ({"name": "   \t "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "nul\x00inside"}, "name"),
    # Zero-width and bidi controls only: a name nobody could read.
    ({"name": "\u200b\u202e\u2066"}, "name"),
    ({"role": "admin"}, "role"),
    ({"id": str(uuid.uuid4())}, "id"),
    ({"created_at": "2030-01-01T00:00:00Z"}, "created_at"),
    ({"active": False}, "active"),
]


class TestRegister:
    def test_creates_an_account(self, client: TestClient) -> None:
        response = register(client, email="ada@example.com", name="Ada")

        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "email", "name", "created_at"}
        assert body["email"] == "ada@example.com"
        assert body["name"] == "Ada"
        assert datetime.fromisoformat(body["created_at"]).utcoffset().total_seconds() == 0
        assert response.headers["Location"] == f"/api/v1/users/{body['id']}"

    def test_never_answers_the_password_or_its_hash(self, client: TestClient) -> None:
        response = register(client)

        assert PASSWORD_TEXT not in response.text
        assert "argon2" not in response.text

    def test_email_is_stored_in_lower_case(self, client: TestClient) -> None:
        response = register(client, email="Grace.Hopper@Example.COM")

        assert response.json()["email"] == "grace.hopper@example.com"

    def test_name_is_trimmed(self, client: TestClient) -> None:
        assert register(client, name="  Ada  ").json()["name"] == "Ada"

    def test_name_of_100_characters_is_accepted(self, client: TestClient) -> None:
        assert register(client, name="x" * 100).status_code == 201

    @pytest.mark.parametrize("length", [8, 128])
    def test_password_length_bounds_are_accepted(self, client: TestClient, length: int) -> None:
        assert register(client, password="p" * length).status_code == 201

    @pytest.mark.parametrize("email", ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@example.com"])
    def test_taken_email_is_409_whatever_its_case(self, client: TestClient, email: str) -> None:
        new_user(client, email="ada@example.com")

        body = assert_problem(register(client, email=email), 409)

        assert body["detail"] == "An account with this email already exists"

    @pytest.mark.parametrize(
        "lookalike",
        [
            "\uff41\uff44\uff41@example.com",  # fullwidth "ada"
            "ada@\uff45xample.com",  # a fullwidth "e" in the domain
            "\u1d2c\u1d30\u1d2c@example.com",  # modifier capitals: NFKC makes them "ADA"
        ],
    )
    def test_a_lookalike_of_a_taken_email_is_409(self, client: TestClient, lookalike: str) -> None:
        new_user(client, email="ada@example.com")

        response = register(client, email=lookalike)

        # email-validator may refuse some forms outright; never a second account.
        assert response.status_code in (409, 422), response.text
        assert assert_problem(response, response.status_code)

    def test_concurrent_registrations_of_one_email_create_one_account(
        self, client: TestClient, settings: AuthSettings
    ) -> None:
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = sorted(
                pool.map(lambda _: register(client, email="race@example.com").status_code, range(6))
            )

        assert statuses == [201, 409, 409, 409, 409, 409]
        assert len(accounts_with_email(settings, "race@example.com")) == 1
        assert len(outbox_messages(settings)) == 1

    def test_new_accounts_have_the_user_role(
        self, client: TestClient, settings: AuthSettings
    ) -> None:
        user = new_user(client)

        assert accounts_with_email(settings, user.email) == [(user.id, "user")]

    @pytest.mark.parametrize(
        ("changes", "field"), INVALID_BODIES, ids=[f"{f}={str(b)[:30]}" for b, f in INVALID_BODIES]
    )
    def test_invalid_body_is_422(
        self, client: TestClient, settings: AuthSettings, changes: dict[str, Any], field: str
    ) -> None:
        response = register(client, **changes)

        body = assert_validation_problem(response, "body", field)
        assert PASSWORD_TEXT not in response.text
        assert "input" not in body["errors"][0]
        assert outbox_messages(settings) == []

    @pytest.mark.parametrize("missing", ["email", "password", "name"])
    def test_missing_field_is_422(self, client: TestClient, missing: str) -> None:
        body = {"email": "ada@example.com", "password": PASSWORD_TEXT, "name": "Ada"}
        del body[missing]

        assert_validation_problem(client.post(REGISTER, json=body), "body", missing)

    def test_form_body_is_422(self, client: TestClient) -> None:
        form = {"email": "ada@example.com", "password": PASSWORD_TEXT, "name": "Ada"}

        assert_problem(client.post(REGISTER, data=form), 422)

    def test_malformed_json_is_422(self, client: TestClient) -> None:
        response = client.post(
            REGISTER, content=b'{"email": ', headers={"Content-Type": "application/json"}
        )

        assert_problem(response, 422)


class TestUserRegisteredEvent:
    def test_registration_writes_the_event_for_each_subscriber(
        self, client: TestClient, settings: AuthSettings
    ) -> None:
        response = register(client, email="ada@example.com", name="Ada")
        account = response.json()

        [(event_type, subscriber, payload)] = outbox_messages(settings)

        assert (event_type, subscriber) == ("user.registered", "users")
        assert payload == {
            "user_id": account["id"],
            "email": "ada@example.com",
            "name": "Ada",
            "registered_at": payload["registered_at"],
        }
        registered_at = datetime.fromisoformat(payload["registered_at"])
        assert registered_at == datetime.fromisoformat(account["created_at"])

    def test_taken_email_writes_no_event(self, client: TestClient, settings: AuthSettings) -> None:
        new_user(client, email="ada@example.com")

        register(client, email="ada@example.com")

        assert len(outbox_messages(settings)) == 1

    def test_every_configured_subscriber_gets_a_message(
        self, client_with: ClientFactory, settings: AuthSettings
    ) -> None:
        other = client_with(user_registered_subscribers=["users", "audit"])

        register(other)

        assert sorted(subscriber for _, subscriber, _ in outbox_messages(settings)) == [
            "audit",
            "users",
        ]
