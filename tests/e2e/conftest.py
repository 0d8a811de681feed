"""The real platform for end-to-end tests: the stack `make run` starts, on free ports.

`stack` is the same `devstack.Stack` as `make run` (embedded PostgreSQL in a throwaway
folder, the three services, the real Traefik binary with gateway/ as its
configuration). Tests talk to it over real HTTP through the gateway only.

Fixtures for new tests: `gateway` (its addresses), `client` (an httpx client on the
gateway), `stack` (stop_service / start_service), `make_token` (a bearer token the services
accept).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from devstack.gateway import GatewayPorts
from devstack.stack import Stack
from tests.platform import platform_token, running_platform

pytest.register_assert_rewrite("tests.e2e.assertions", "todo_common.testing.assertions")

ALLOWED_ORIGINS = ("http://localhost:3000", "http://localhost:5173")
# A budget the frontend journey's register/login calls stay within; the flood test sends more.
AUTH_RATE_BURST = 20
AUTH_RATE_PER_MINUTE = 60

STACK_ENVIRONMENT = {
    "CORS_ORIGINS": ",".join(ALLOWED_ORIGINS),
    "GATEWAY_AUTH_RATE_AVERAGE": str(AUTH_RATE_PER_MINUTE),
    "GATEWAY_AUTH_RATE_PERIOD_SECONDS": "60",
    "GATEWAY_AUTH_RATE_BURST": str(AUTH_RATE_BURST),
}

TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with running_platform(STACK_ENVIRONMENT, prefix="todo-e2e-") as platform:
        yield platform


@pytest.fixture(scope="session")
def gateway(stack: Stack) -> GatewayPorts:
    return stack.gateway_ports


@pytest.fixture
def client(gateway: GatewayPorts) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.url, timeout=10) as http:
        yield http


@pytest.fixture(scope="session")
def make_token(stack: Stack) -> TokenFactory:
    """An access token signed with the stack's secret, as auth would issue it."""

    def factory(user_id: uuid.UUID | None = None, *, role: str = "user") -> str:
        return platform_token(stack, user_id, role=role, email="someone@example.com")

    return factory


@pytest.fixture
def user_headers(make_token: TokenFactory) -> dict[str, str]:
    """A fresh user's Authorization header: each test sees only its own todos."""
    return {"Authorization": f"Bearer {make_token()}"}
