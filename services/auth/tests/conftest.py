"""The auth service under test: migrated on a real PostgreSQL, called over HTTP in-process."""

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from auth.core.config import AuthSettings
from auth.main import build_app
from tests.keys import rs256, rsa_private_pem
from todo_common.testing.harness import ServiceUnderTest

pytest_plugins = ["todo_common.testing.fixtures", "todo_common.testing.service"]

SERVICE_CLIENT_SECRETS = {"users": "users-client-secret-for-tests"}
SERVICE = ServiceUnderTest(
    root=Path(__file__).resolve().parents[1],
    settings_type=AuthSettings,
    build_app=build_app,
    test_values={
        # Cheap argon2: the cost is a setting, not a rule.
        "password_hash_memory_kib": 1024,
        "password_hash_time_cost": 1,
        "service_client_secrets": SERVICE_CLIENT_SECRETS,
        # Deliveries are the relay tests' business (libs/common, tests/integration).
        "outbox_relay_enabled": False,
    },
)


@pytest.fixture(scope="session")
def service() -> ServiceUnderTest[AuthSettings]:
    return SERVICE


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
