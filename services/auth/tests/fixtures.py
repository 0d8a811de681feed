"""Factories for the auth tests: accounts made through the API, tokens, and the clock."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg2
from fastapi.testclient import TestClient

from auth.core.config import AuthSettings
from todo_common.testing.tokens import decoded_segment

AUTH = "/api/v1/auth"
REGISTER = f"{AUTH}/register"
LOGIN = f"{AUTH}/login"
REFRESH = f"{AUTH}/refresh"
LOGOUT = f"{AUTH}/logout"
PASSWORD = f"{AUTH}/password"
JWKS = f"{AUTH}/.well-known/jwks.json"
SERVICE_TOKENS = "/internal/service-tokens"

PASSWORD_TEXT = "correct horse battery"

# The `client_with` fixture: another auth app with some settings changed.
ClientFactory = Callable[..., TestClient]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def unverified_claims(token: str) -> dict[str, Any]:
    return decoded_segment(token, 1)


def unverified_header(token: str) -> dict[str, Any]:
    return decoded_segment(token, 0)


@dataclass
class AuthUser:
    """An account registered through the API, and the password that logs it in."""

    client: TestClient
    id: str
    email: str
    password: str
    name: str

    def login(self, password: str | None = None, *, username: str | None = None) -> httpx.Response:
        form = {"username": username or self.email, "password": password or self.password}
        return self.client.post(LOGIN, data=form)

    def tokens(self) -> dict[str, Any]:
        """A fresh token pair (a new refresh family)."""
        response = self.login()
        assert response.status_code == 200, response.text
        pair: dict[str, Any] = response.json()
        return pair

    def change_password(self, access_token: str, current: str, new: str) -> httpx.Response:
        return self.client.put(
            PASSWORD,
            json={"current_password": current, "new_password": new},
            headers=bearer(access_token),
        )


def refresh(client: TestClient, refresh_token: str) -> httpx.Response:
    return client.post(REFRESH, json={"refresh_token": refresh_token})


def register(client: TestClient, **fields: Any) -> httpx.Response:
    body = {
        "email": f"user-{uuid.uuid4().hex[:12]}@example.com",
        "password": PASSWORD_TEXT,
        "name": "Ada Lovelace",
        **fields,
    }
    return client.post(REGISTER, json=body)


def new_user(client: TestClient, **fields: Any) -> AuthUser:
    response = register(client, **fields)
    assert response.status_code == 201, response.text
    body = response.json()
    return AuthUser(
        client=client,
        id=body["id"],
        email=body["email"],
        password=fields.get("password", PASSWORD_TEXT),
        name=body["name"],
    )


# The database, for what a client cannot do: move the clock, disable an account.


@contextmanager
def database(settings: AuthSettings) -> Iterator["psycopg2.extensions.cursor"]:
    """A cursor on auth's schema as its own role, committed on exit."""
    connection = psycopg2.connect(settings.database_url)
    try:
        with connection, connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def expire_lock(settings: AuthSettings, email: str) -> None:
    """Make the address's lock run out, as if its Retry-After had passed."""
    with database(settings) as cursor:
        cursor.execute(
            "UPDATE auth.login_failure SET locked_until = now() - interval '1 second'"
            " WHERE email = %s",
            (email,),
        )


def expire_refresh_tokens(settings: AuthSettings, account_id: str) -> None:
    with database(settings) as cursor:
        cursor.execute(
            "UPDATE auth.refresh_token SET expires_at = now() - interval '1 second'"
            " WHERE account_id = %s",
            (account_id,),
        )


def set_active(settings: AuthSettings, account_id: str, active: bool) -> None:
    with database(settings) as cursor:
        cursor.execute("UPDATE auth.account SET active = %s WHERE id = %s", (active, account_id))


def outbox_messages(settings: AuthSettings) -> list[tuple[str, str, dict[str, Any]]]:
    """(event type, subscriber, payload) of every event written, oldest first."""
    with database(settings) as cursor:
        cursor.execute(
            "SELECT event_type, subscriber, payload FROM auth.outbox_message ORDER BY created_at"
        )
        return list(cursor.fetchall())


def accounts_with_email(settings: AuthSettings, email: str) -> list[tuple[str, str]]:
    """(id, role) of the accounts stored with `email`."""
    with database(settings) as cursor:
        cursor.execute("SELECT id::text, role FROM auth.account WHERE email = %s", (email,))
        return list(cursor.fetchall())
