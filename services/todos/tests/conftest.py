"""The todos service under test: migrated on a real PostgreSQL, called over HTTP in-process."""

from pathlib import Path

import pytest

from todo_common.testing.harness import ServiceUnderTest
from todos.core.config import TodosSettings
from todos.main import build_app

pytest_plugins = ["todo_common.testing.fixtures", "todo_common.testing.service"]

SERVICE = ServiceUnderTest(
    root=Path(__file__).resolve().parents[1], settings_type=TodosSettings, build_app=build_app
)


@pytest.fixture(scope="session")
def service() -> ServiceUnderTest[TodosSettings]:
    return SERVICE
