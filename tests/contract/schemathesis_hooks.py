"""Schemathesis hooks for the contract stage (named by `hooks` in schemathesis.toml).

Every request schemathesis sends carries a real access token: a fresh account registered and
logged in through the real auth service at CONTRACT_AUTH_URL (directly or through the
gateway, like the service under test).
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
        login = client.post("/api/v1/auth/login", data={"username": email, "password": password})
        login.raise_for_status()
        token: str = login.json()["access_token"]
        return token


def _account_key(case: schemathesis.Case[Any], _context: Any) -> str:
    if case.operation.label in _ACCOUNT_ENDING_OPERATIONS:
        return uuid.uuid4().hex
    return "shared"


@schemathesis.auth(refresh_interval=TOKEN_REFRESH_SECONDS, cache_by_key=_account_key)
class PlatformAccount:
    """A bearer token from the real auth service."""

    def get(self, _case: schemathesis.Case[Any], _context: Any) -> str:
        return new_access_token(os.environ["CONTRACT_AUTH_URL"])

    def set(self, case: schemathesis.Case[Any], data: str, _context: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}"
