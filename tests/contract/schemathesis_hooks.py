"""Schemathesis hooks for the contract stage (named by `hooks` in schemathesis.toml).

Every request schemathesis sends carries a real access token from the real auth service at
CONTRACT_AUTH_URL (directly or through the gateway, like the service under test): a fresh
account registered and logged in, or, for the admin-only operations, the stack's first
admin (CONTRACT_ADMIN_EMAIL, CONTRACT_ADMIN_PASSWORD), so that those are tested past 403.
"""

import os
import uuid
from typing import Any

import httpx
import schemathesis

# An access token lives 15 minutes; a fresh one well before that keeps every request valid.
TOKEN_REFRESH_SECONDS = 300
# Deleting your own profile ends your account: such a case gets an account of its own, so
# the one the other requests share stays alive.
_ACCOUNT_ENDING_OPERATIONS = {"DELETE /api/v1/users/me"}
_ADMIN_OPERATIONS = {
    "GET /api/v1/users",
    "PUT /api/v1/users/{user_id}",
    "DELETE /api/v1/users/{user_id}",
}


def _log_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", data={"username": email, "password": password})


def new_access_token(auth_url: str) -> str:
    """Register a fresh account and log it in; its access token."""
    email = f"contract-{uuid.uuid4().hex}@example.com"
    password = f"contract {uuid.uuid4().hex}"
    with httpx.Client(base_url=auth_url, timeout=30) as client:
        registered = client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": password, "name": "Contract Tester"},
        )
        registered.raise_for_status()
        login = _log_in(client, email, password)
        login.raise_for_status()
        token: str = login.json()["access_token"]
        return token


def admin_access_token(auth_url: str) -> str | None:
    """The first admin's access token; None once a generated request has deleted it."""
    with httpx.Client(base_url=auth_url, timeout=30) as client:
        login = _log_in(
            client, os.environ["CONTRACT_ADMIN_EMAIL"], os.environ["CONTRACT_ADMIN_PASSWORD"]
        )
        if login.status_code == 401:
            return None
        login.raise_for_status()
        token: str = login.json()["access_token"]
        return token


def _account_key(case: schemathesis.Case[Any], _context: Any) -> str:
    if case.operation.label in _ACCOUNT_ENDING_OPERATIONS:
        return uuid.uuid4().hex
    if case.operation.label in _ADMIN_OPERATIONS:
        return "admin"
    return "shared"


@schemathesis.auth(refresh_interval=TOKEN_REFRESH_SECONDS, cache_by_key=_account_key)
class PlatformAccount:
    """A bearer token from the real auth service."""

    def get(self, case: schemathesis.Case[Any], _context: Any) -> str:
        auth_url = os.environ["CONTRACT_AUTH_URL"]
        if case.operation.label in _ADMIN_OPERATIONS:
            # An admin may delete any profile, its own included (DELETE /{user_id} with an
            # id the stateful phase read): the operations then run as a user, answering 403.
            admin = admin_access_token(auth_url)
            if admin is not None:
                return admin
        return new_access_token(auth_url)

    def set(self, case: schemathesis.Case[Any], data: str, _context: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}"
