"""A todos request authenticated by a token from a real auth login, HS256 and RS256."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.integration.identity.conftest import AuthProcess, todos_settings
from todos.main import build_app as build_todos_app

TODOS = "/api/v1/todos"


def log_in_through_auth(auth: AuthProcess) -> dict[str, str]:
    """Register and log in over HTTP, as a browser would; the token pair."""
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    password = "integration password"
    with httpx.Client(base_url=auth.base_url, timeout=10) as http:
        registered = http.post(
            "/api/v1/auth/register", json={"email": email, "password": password, "name": "Ada"}
        )
        assert registered.status_code == 201, registered.text
        login = http.post("/api/v1/auth/login", data={"username": email, "password": password})
        assert login.status_code == 200, login.text
        pair: dict[str, str] = {**login.json(), "user_id": registered.json()["id"]}
        return pair


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hs256_todos(database_urls: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(
        build_todos_app(todos_settings(database_urls)), raise_server_exceptions=False
    ) as client:
        yield client


@pytest.fixture
def rs256_todos(database_urls: dict[str, str], rs256_auth: AuthProcess) -> Iterator[TestClient]:
    # Only the JWKS URL: todos has no key of its own and must fetch auth's over HTTP.
    settings = todos_settings(
        database_urls,
        jwt_algorithms=["RS256"],
        jwt_secret=None,
        jwt_jwks_url=rs256_auth.jwks_url,
    )
    with TestClient(build_todos_app(settings), raise_server_exceptions=False) as client:
        yield client


class TestHs256:
    def test_todos_accepts_a_token_from_auths_login(
        self, hs256_auth: AuthProcess, hs256_todos: TestClient
    ) -> None:
        tokens = log_in_through_auth(hs256_auth)

        created = hs256_todos.post(
            TODOS, json={"title": "Signed by auth"}, headers=bearer(tokens["access_token"])
        )

        assert created.status_code == 201, created.text
        listed = hs256_todos.get(TODOS, headers=bearer(tokens["access_token"]))
        assert [todo["title"] for todo in listed.json()["items"]] == ["Signed by auth"]

    def test_todos_of_one_account_are_not_anothers(
        self, hs256_auth: AuthProcess, hs256_todos: TestClient
    ) -> None:
        alice, bob = log_in_through_auth(hs256_auth), log_in_through_auth(hs256_auth)
        hs256_todos.post(TODOS, json={"title": "Alice's"}, headers=bearer(alice["access_token"]))

        listed = hs256_todos.get(TODOS, headers=bearer(bob["access_token"]))

        assert listed.json()["items"] == []

    def test_a_refreshed_token_works_too(
        self, hs256_auth: AuthProcess, hs256_todos: TestClient
    ) -> None:
        tokens = log_in_through_auth(hs256_auth)
        refreshed = httpx.post(
            f"{hs256_auth.base_url}/api/v1/auth/refresh",
            json={"refresh_token": tokens["refresh_token"]},
        ).json()

        response = hs256_todos.get(TODOS, headers=bearer(refreshed["access_token"]))

        assert response.status_code == 200


class TestRs256:
    def test_todos_verifies_auths_token_through_the_jwks_url(
        self, rs256_auth: AuthProcess, rs256_todos: TestClient
    ) -> None:
        tokens = log_in_through_auth(rs256_auth)

        created = rs256_todos.post(
            TODOS, json={"title": "Verified by JWKS"}, headers=bearer(tokens["access_token"])
        )

        assert created.status_code == 201, created.text
        listed = rs256_todos.get(TODOS, headers=bearer(tokens["access_token"]))
        assert [todo["id"] for todo in listed.json()["items"]] == [created.json()["id"]]

    def test_the_published_key_is_the_one_tokens_name(self, rs256_auth: AuthProcess) -> None:
        keys = httpx.get(rs256_auth.jwks_url).json()["keys"]

        assert [(key["kid"], key["alg"]) for key in keys] == [("integration-key", "RS256")]

    def test_an_hs256_token_is_refused_by_an_rs256_todos(
        self, hs256_auth: AuthProcess, rs256_todos: TestClient
    ) -> None:
        tokens = log_in_through_auth(hs256_auth)

        response = rs256_todos.get(TODOS, headers=bearer(tokens["access_token"]))

        assert response.status_code == 401
        assert response.headers["Content-Type"] == "application/problem+json"
