"""The users service under test: migrated on a real PostgreSQL, called over HTTP in-process."""

from pathlib import Path

import pytest

from todo_common.testing.harness import ServiceUnderTest
from users.core.config import UsersSettings
from users.main import build_app

pytest_plugins = ["todo_common.testing.fixtures", "todo_common.testing.service"]

SERVICE = ServiceUnderTest(
    root=Path(__file__).resolve().parents[1],
    settings_type=UsersSettings,
    build_app=build_app,
    # The relay has its own tests; here the outbox is inspected, not delivered.
    test_values={"outbox_relay_enabled": False},
)


@pytest.fixture(scope="session")
def service() -> ServiceUnderTest[UsersSettings]:
    return SERVICE
