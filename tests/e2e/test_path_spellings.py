"""Spellings of a path: none reaches a handler while missing the router meant for it.

The real traefik normalises a path (unreserved escapes decoded, dot segments and double
slashes removed) before routing; what it keeps encoded, a service would decode. So every
spelling of the rate-limited login either meets the rate limit, or is refused outright.
"""

import http.client
import json
import uuid

import httpx
import pytest

from devstack.gateway import GatewayPorts
from devstack.stack import Stack
from tests.e2e.conftest import AUTH_RATE_BURST
from tests.e2e.test_limits import client_at, flood
from todo_common.testing.assertions import assert_problem
from todo_common.testing.waiting import eventually

LOGIN_SPELLINGS = [
    "/api/v1/auth/login%2F",
    "/api/v1/auth/login%2f",
    "/api/v1/auth%2Flogin",
    "/api/v1/auth/login/",
    "/api/v1/auth/login//",
    "/api/v1//auth/login",
    "/api/v1/auth/./login",
    "/api/v1/auth/x/../login",
    "/api/v1/auth/%2E/login",
    "/api/v1/auth/x/%2e%2e/login",
    "/api/v1/auth/%6Cogin",
    "/api/v1/auth/login;x=1",
    "/api/v1/auth/login%3B",
    "/api/v1/auth/login%5C",
    "/api/v1/auth/login%00",
    "/api/v1/auth/login%25",
    "/api/v1/auth/LOGIN",
    "/API/v1/auth/login",
]


def raw_request(
    gateway: GatewayPorts, method: str, target: str, source: str, body: bytes = b""
) -> tuple[int, str, bytes]:
    """The request target exactly as written (httpx would normalise it)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", gateway.web, timeout=10, source_address=(source, 0)
    )
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("content-type", ""), response.read()
    finally:
        connection.close()


class TestLoginSpellings:
    def test_no_spelling_of_login_escapes_a_spent_rate_limit(self, gateway: GatewayPorts) -> None:
        source = "127.0.0.7"
        answers = {}
        with client_at(gateway, source) as client:
            # Auth in rotation (an earlier test may have restarted it): a 503 would prove
            # nothing about routing.
            jwks = "/api/v1/auth/.well-known/jwks.json"
            eventually(lambda: client.get(jwks).status_code == 200, what="auth in rotation")
            for target in LOGIN_SPELLINGS:
                # Spent again right before each spelling: the budget refills one token a
                # second, and a refill is not a bypass.
                limited = flood(client, "/api/v1/auth/login", AUTH_RATE_BURST * 3)[-1]
                assert limited.status_code == 429
                form = f"username=spelling-{uuid.uuid4().hex}%40example.com&password=xxxxxxxx"
                answers[target] = raw_request(gateway, "POST", target, source, form.encode())

        # 429: the limit met it; 404: no route has that spelling; 400: Traefik refused a
        # malformed one. A 401 or 200 would be a login attempt the limit never counted;
        # 422 a handler that read the form.
        statuses = {target: status for target, (status, _, _) in answers.items()}
        reached = {
            target: status for target, status in statuses.items() if status not in (400, 404, 429)
        }
        assert reached == {}
        for target, (status, content_type, _) in answers.items():
            assert content_type == "application/problem+json", (target, status)

    def test_an_encoded_slash_is_a_404_saying_why(self, gateway: GatewayPorts) -> None:
        status, content_type, body = raw_request(gateway, "GET", "/api/v1/todos%2Fx", "127.0.0.1")

        assert status == 404
        assert content_type == "application/problem+json"
        problem = json.loads(body)
        assert problem["instance"] == "/api/v1/todos%2Fx"
        assert "percent-encoded" in problem["detail"]


class TestGatewayOwnedHeaders:
    def test_a_client_sent_replaced_path_does_not_shape_the_404(self, client: httpx.Client) -> None:
        response = client.get(
            "/nothing-here", headers={"X-Replaced-Path": "/Call support at +1-555-0100"}
        )

        body = assert_problem(response, 404, "/nothing-here")
        assert "555" not in response.text
        assert body["detail"] == "No API route matches /nothing-here"


class TestAccessLog:
    def test_the_gateway_logs_no_query_strings(self, client: httpx.Client, stack: Stack) -> None:
        secret = f"secret-{uuid.uuid4().hex}"
        client.get("/api/v1/todos", params={"q": secret})
        log = stack.settings.log_dir / "gateway-access.log"

        # Traefik writes its access log asynchronously: wait for the request's line.
        eventually(
            lambda: log.exists() and "RouterName" in log.read_text(),
            within=10,
            what="the request's access log line",
        )
        assert secret not in log.read_text()


class TestProtocolErrors:
    @pytest.mark.parametrize("size", [64 * 1024, 2 * 1024 * 1024])
    def test_huge_headers_are_refused_by_the_gateway_not_a_5xx(
        self, gateway: GatewayPorts, size: int
    ) -> None:
        response = httpx.get(
            f"{gateway.url}/api/v1/todos", headers={"X-Padding": "x" * size}, timeout=10
        )

        # Go's HTTP server answers before any Traefik handler: plain text it cannot shape
        # (docs/architecture.md).
        assert response.status_code == 431
