"""The gateway's limits: request bodies over 1 MiB, floods of the credential endpoints."""

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from devstack.gateway import GatewayPorts
from tests.e2e.conftest import AUTH_RATE_BURST
from todo_common.testing.assertions import assert_problem

MIB = 1024 * 1024


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b"x" * piece


class TestBodyLimit:
    def test_a_body_over_one_mib_is_refused_with_413(
        self, client: httpx.Client, user_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/todos",
            content=b"x" * (MIB + 1),
            headers={**user_headers, "Content-Type": "application/json"},
        )

        body = assert_problem(response, 413, "/api/v1/todos")
        assert "1 MiB" in body["detail"]

    def test_a_streamed_body_without_length_is_cut_off_at_the_limit_too(
        self, client: httpx.Client, user_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/todos",
            content=chunks(2 * MIB),
            headers={**user_headers, "Content-Type": "application/json"},
        )

        assert "content-length" not in response.request.headers
        assert_problem(response, 413, "/api/v1/todos")

    def test_a_body_of_exactly_one_mib_reaches_the_service(
        self, client: httpx.Client, user_headers: dict[str, str]
    ) -> None:
        padding = "y" * (MIB - len('{"title": "big", "description": ""}'))
        content = f'{{"title": "big", "description": "{padding}"}}'.encode()
        assert len(content) == MIB

        response = client.post(
            "/api/v1/todos",
            content=content,
            headers={**user_headers, "Content-Type": "application/json"},
        )

        # The todos service itself refuses a description over 10,000 characters.
        body = assert_problem(response, 422, "/api/v1/todos")
        assert body["errors"][0]["loc"] == ["body", "description"]


def client_at(gateway: GatewayPorts, source_address: str) -> httpx.Client:
    """A client connecting from another loopback address: another client IP to the gateway."""
    transport = httpx.HTTPTransport(local_address=source_address)
    return httpx.Client(base_url=gateway.url, transport=transport, timeout=10)


def flood(client: httpx.Client, path: str, attempts: int) -> list[httpx.Response]:
    answers = []
    for _ in range(attempts):
        # A new email each time: auth's own lockout (429 after repeated failures on one
        # email) must not be mistaken for the gateway's limiter.
        email = f"flood-{uuid.uuid4().hex}@example.com"
        answers.append(client.post(path, data={"username": email, "password": "x" * 8}))
        if answers[-1].status_code == 429:
            break
    return answers


class TestCredentialRateLimit:
    """Works whether auth runs or not: the limiter answers before the upstream is tried.

    Each test floods from its own loopback address, so the budget of 127.0.0.1 (used by every
    other test, and later by the frontend journey) is never spent here.
    """

    @pytest.mark.parametrize(
        ("path", "source"),
        [("/api/v1/auth/login", "127.0.0.2"), ("/api/v1/auth/register", "127.0.0.3")],
    )
    def test_a_flood_gets_429_problem_json_with_retry_after(
        self, gateway: GatewayPorts, path: str, source: str
    ) -> None:
        with client_at(gateway, source) as client:
            answers = flood(client, path, AUTH_RATE_BURST * 3)

        assert [a.status_code for a in answers[:AUTH_RATE_BURST]].count(429) == 0
        limited = answers[-1]
        assert_problem(limited, 429, path)
        assert int(limited.headers["retry-after"]) >= 1

    def test_the_limit_is_per_client_ip_and_lifts_after_retry_after(
        self, gateway: GatewayPorts
    ) -> None:
        path = "/api/v1/auth/login"
        with client_at(gateway, "127.0.0.4") as flooder, client_at(gateway, "127.0.0.5") as other:
            limited = flood(flooder, path, AUTH_RATE_BURST * 3)[-1]
            assert limited.status_code == 429
            # A forged X-Forwarded-For does not make the flooder someone else.
            forged = flooder.post(path, headers={"X-Forwarded-For": "203.0.113.7"})
            bystander = other.post(path)
            time.sleep(int(limited.headers["retry-after"]))
            after_waiting = flooder.post(path)

        assert forged.status_code == 429
        assert bystander.status_code != 429
        assert after_waiting.status_code != 429

    def test_other_auth_routes_are_not_limited(self, gateway: GatewayPorts) -> None:
        with client_at(gateway, "127.0.0.6") as client:
            answers = [
                client.get("/api/v1/auth/.well-known/jwks.json") for _ in range(AUTH_RATE_BURST + 5)
            ]

        assert all(answer.status_code != 429 for answer in answers)
