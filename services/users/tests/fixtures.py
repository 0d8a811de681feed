"""Factories for the users tests: users and admins with tokens, events as auth sends them."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient

from todo_common.events.envelope import EVENTS_PATH
from todo_common.testing.api import ApiCaller
from todo_common.testing.harness import TokenFactory, mint_service_token, query

USERS = "/api/v1/users"
ME = f"{USERS}/me"

Profile = dict[str, Any]


def user_path(user_id: str | uuid.UUID) -> str:
    return f"{USERS}/{user_id}"


class ApiUser(ApiCaller):
    """A user (or admin) of the users API."""

    collection = USERS

    @property
    def email(self) -> str:
        return email_of(self.id)

    def me(self) -> Profile:
        response = self.request("GET", ME)
        assert response.status_code == 200, response.text
        profile: Profile = response.json()
        return profile


def email_of(user_id: uuid.UUID) -> str:
    return f"user-{user_id.hex[:12]}@example.com"


def new_user(
    client: TestClient, make_token: TokenFactory, role: str = "user", **claims: Any
) -> ApiUser:
    user_id = uuid.uuid4()
    claims.setdefault("email", email_of(user_id))
    return ApiUser(client=client, token=make_token(user_id, role=role, **claims), id=user_id)


def registration(user_id: uuid.UUID, name: str = "Ada Lovelace", **payload: Any) -> dict[str, Any]:
    """The payload of auth's `user.registered`."""
    return {
        "user_id": str(user_id),
        "email": email_of(user_id),
        "name": name,
        # Long ago, so profiles made from tokens during a test sort after registered ones.
        "registered_at": "2020-01-02T03:04:05+00:00",
        **payload,
    }


def send_event(
    client: TestClient,
    event_type: str,
    payload: dict[str, Any],
    *,
    event_id: uuid.UUID | None = None,
    token: str | None = None,
) -> httpx.Response:
    """POST an event to the users service as auth's relay would."""
    envelope = {
        "id": str(event_id or uuid.uuid4()),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": payload,
    }
    bearer = token if token is not None else mint_service_token("auth", "users")
    return client.post(EVENTS_PATH, json=envelope, headers={"Authorization": f"Bearer {bearer}"})


def outbox_rows(database_url: str) -> list[dict[str, Any]]:
    """The users outbox, oldest first, read as the users role."""
    return query(
        database_url,
        "SELECT event_id, event_type, subscriber, payload, delivered_at"
        " FROM users.outbox_message ORDER BY created_at, subscriber",
    )
