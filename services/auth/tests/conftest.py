"""The auth service under test: migrated on a real PostgreSQL, called over HTTP in-process."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth.core.config import AuthSettings
from auth.main import build_app
from tests.keys import rs256, rsa_private_pem
from todo_common.testing.harness import (
    empty_tables_after,
    migrated_client,
    service_settings_values,
)

pytest_plugins = ["todo_common.testing.fixtures"]

SERVICE_ROOT = Path(__file__).resolve().parents[1]
SERVICE_CLIENT_SECRETS = {"users": "users-client-secret-for-tests"}


def auth_settings(database_url: str, **overrides: Any) -> AuthSettings:
    """Settings as the tests run auth: cheap argon2 (the cost is a setting, not a rule)."""
    values: dict[str, Any] = {
        **service_settings_values(database_url, "auth"),
        "password_hash_memory_kib": 1024,
        "password_hash_time_cost": 1,
        "service_client_secrets": SERVICE_CLIENT_SECRETS,
        # Deliveries are the relay tests' business (libs/common, tests/integration).
        "outbox_relay_enabled": False,
        **overrides,
    }
    return AuthSettings(_env_file=None, **values)


@pytest.fixture(scope="session")
def settings(service_database_urls: dict[str, str]) -> AuthSettings:
    return auth_settings(service_database_urls["auth"])


@pytest.fixture(scope="session")
def client(settings: AuthSettings) -> Iterator[TestClient]:
    yield from migrated_client(SERVICE_ROOT, settings, build_app)


@pytest.fixture
def client_with(client: TestClient, settings: AuthSettings) -> Iterator[Callable[..., TestClient]]:
    """Another auth app on the same database (`client` migrated it), some settings changed."""
    with ExitStack() as stack:

        def factory(**overrides: Any) -> TestClient:
            app = build_app(auth_settings(settings.database_url, **overrides))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield factory


@pytest.fixture(scope="session")
def rsa_key() -> str:
    return rsa_private_pem()


@pytest.fixture(scope="session")
def other_rsa_key() -> str:
    return rsa_private_pem()


@pytest.fixture
def rs256_client(client_with: Callable[..., TestClient], rsa_key: str) -> TestClient:
    return client_with(**rs256(rsa_key))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from empty_tables_after(request, "auth")
