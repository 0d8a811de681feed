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
from devstack.processes import StartupError
from devstack.services import Service
from devstack.stack import Stack, StackSettings
from todo_common.embedded_postgres import free_port
from todo_common.platform import SERVICES
from todo_common.security.tokens import mint_token

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


def _distinct_free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    ports = _distinct_free_ports(len(SERVICES) + 3)
    settings = StackSettings(
        data_dir=tmp_path_factory.mktemp("stack"),
        running=[Service(name, port) for name, port in zip(SERVICES, ports, strict=False)],
        gateway=GatewayPorts(web=ports[-3], tls=ports[-2], ops=ports[-1]),
        database_url=None,  # always a throwaway PostgreSQL, whatever the shell says
        environment=STACK_ENVIRONMENT,
    )
    platform = Stack(settings)
    try:
        platform.start()
    except StartupError as error:
        log = error.log.read_text(errors="replace")[-3000:] if error.log else ""
        platform.stop()
        pytest.fail(f"the stack did not start: {error}\n{log}", pytrace=False)
    except BaseException:
        platform.stop()
        raise
    yield platform
    platform.stop()


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
        return mint_token(
            subject=str(user_id or uuid.uuid4()),
            role=role,
            email="someone@example.com",
            issuer="todo-auth",
            audience="todo-platform",
            signing_key=stack.settings.jwt_secret,
            algorithm="HS256",
        )

    return factory


@pytest.fixture
def user_headers(make_token: TokenFactory) -> dict[str, str]:
    """A fresh user's Authorization header: each test sees only its own todos."""
    return {"Authorization": f"Bearer {make_token()}"}
