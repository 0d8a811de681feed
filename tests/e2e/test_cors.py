"""CORS is answered by the gateway: allowed origins get grants, any other origin nothing."""

import httpx
import pytest

from tests.e2e.assertions import cors_headers
from tests.e2e.conftest import ALLOWED_ORIGINS
from todo_common.testing.assertions import assert_problem

DISALLOWED_ORIGINS = [
    "https://evil.example.com",
    "http://localhost:3000.evil.example.com",  # an allowed origin as a prefix
    "http://localhost:30001",
    "https://localhost:3000",  # another scheme is another origin
    "null",
]


def preflight(client: httpx.Client, origin: str, path: str = "/api/v1/todos/42") -> httpx.Response:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, if-match",
        },
    )


def listed(header: str) -> set[str]:
    return {item.strip().lower() for item in header.split(",")}


class TestPreflight:
    @pytest.mark.parametrize("origin", ALLOWED_ORIGINS)
    def test_allowed_origin_is_granted_at_the_gateway(
        self, client: httpx.Client, origin: str
    ) -> None:
        response = preflight(client, origin)

        # The services run without CORS: an OPTIONS reaching one would be a 405.
        assert response.status_code == 200
        assert response.content == b""
        assert response.headers["access-control-allow-origin"] == origin
        assert {"get", "post", "put", "patch", "delete"} <= listed(
            response.headers["access-control-allow-methods"]
        )
        assert {
            "authorization",
            "content-type",
            "if-match",
            "idempotency-key",
            "x-request-id",
            "x-refresh-token-transport",
        } <= listed(response.headers["access-control-allow-headers"])
        assert int(response.headers["access-control-max-age"]) > 0
        # The browser app's refresh-token cookie needs credentials; origins match exactly.
        assert response.headers["access-control-allow-credentials"] == "true"

    def test_preflight_for_the_rate_limited_login_is_granted_too(
        self, client: httpx.Client
    ) -> None:
        response = preflight(client, ALLOWED_ORIGINS[0], path="/api/v1/auth/login")

        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGINS[0]

    @pytest.mark.parametrize("origin", DISALLOWED_ORIGINS)
    def test_other_origins_get_no_cors_headers(self, client: httpx.Client, origin: str) -> None:
        response = preflight(client, origin)

        assert cors_headers(response) == {}


class TestActualRequests:
    @pytest.mark.parametrize("origin", ALLOWED_ORIGINS)
    def test_allowed_origin_may_read_the_answer_and_its_headers(
        self, client: httpx.Client, user_headers: dict[str, str], origin: str
    ) -> None:
        response = client.post(
            "/api/v1/todos",
            json={"title": "from a browser"},
            headers={**user_headers, "Origin": origin},
        )

        assert response.status_code == 201
        assert response.headers["access-control-allow-origin"] == origin
        assert {"etag", "location", "x-request-id"} <= listed(
            response.headers["access-control-expose-headers"]
        )
        assert "origin" in listed(response.headers["vary"])
        assert response.headers["access-control-allow-credentials"] == "true"

    @pytest.mark.parametrize("origin", DISALLOWED_ORIGINS)
    def test_other_origins_get_no_cors_headers(
        self, client: httpx.Client, user_headers: dict[str, str], origin: str
    ) -> None:
        response = client.get("/api/v1/todos", headers={**user_headers, "Origin": origin})

        assert response.status_code == 200
        assert cors_headers(response) == {}

    def test_requests_without_an_origin_get_no_cors_headers(
        self, client: httpx.Client, user_headers: dict[str, str]
    ) -> None:
        assert cors_headers(client.get("/api/v1/todos", headers=user_headers)) == {}

    @pytest.mark.parametrize("origin", [None, ALLOWED_ORIGINS[0], DISALLOWED_ORIGINS[0]])
    @pytest.mark.parametrize("path", ["/api/v1/todos", "/no-such-path"])
    def test_every_answer_varies_on_origin_once(
        self,
        client: httpx.Client,
        user_headers: dict[str, str],
        origin: str | None,
        path: str,
    ) -> None:
        # What a shared cache keys on: the answer differs by Origin whatever it is.
        headers = {**user_headers, **({"Origin": origin} if origin else {})}
        response = client.get(path, headers=headers)

        varies_on = [name.strip().lower() for name in response.headers["vary"].split(",")]
        assert varies_on.count("origin") == 1, varies_on

    @pytest.mark.parametrize("path", ["/no-such-path", "/api/v1/auth/login"])
    def test_an_allowed_origin_can_read_gateway_errors(
        self, client: httpx.Client, path: str
    ) -> None:
        # 404 from the fallback router; for login a 503 (auth down) or auth's own answer.
        response = client.post(path, headers={"Origin": ALLOWED_ORIGINS[1]})

        assert response.status_code >= 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGINS[1]
        assert "retry-after" in listed(response.headers["access-control-expose-headers"])
        if path == "/no-such-path":
            assert_problem(response, 404, path)
