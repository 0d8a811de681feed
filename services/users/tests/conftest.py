"""The users service under test: migrated on a real PostgreSQL, called over HTTP in-process."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from todo_common.testing.harness import (
    empty_tables_after,
    migrated_client,
    service_settings_values,
)
from users.core.config import UsersSettings
from users.main import build_app

pytest_plugins = ["todo_common.testing.fixtures"]

SERVICE_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings(service_database_urls: dict[str, str]) -> UsersSettings:
    return UsersSettings(
        _env_file=None,
        **service_settings_values(service_database_urls["users"], "users"),
        # The relay has its own tests; here the outbox is inspected, not delivered.
        outbox_relay_enabled=False,
    )


@pytest.fixture(scope="session")
def client(settings: UsersSettings) -> Iterator[TestClient]:
    yield from migrated_client(SERVICE_ROOT, settings, build_app)


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from empty_tables_after(request, "users")
