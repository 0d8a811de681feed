"""The todos service under test: migrated on a real PostgreSQL, called over HTTP in-process."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from todo_common.testing.harness import migrate, service_settings_values, truncate_tables
from todos.core.config import TodosSettings
from todos.main import build_app

pytest_plugins = ["todo_common.testing.fixtures"]
# The helpers assert on responses; rewriting makes their failures show the values.
pytest.register_assert_rewrite("tests.fixtures", "todo_common.testing.assertions")

SERVICE_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings(service_database_urls: dict[str, str]) -> TodosSettings:
    return TodosSettings(
        _env_file=None, **service_settings_values(service_database_urls["todos"], "todos")
    )


@pytest.fixture(scope="session")
def migrated(settings: TodosSettings) -> TodosSettings:
    migrate(SERVICE_ROOT, settings)
    return settings


@pytest.fixture(scope="session")
def client(migrated: TodosSettings) -> Iterator[TestClient]:
    with TestClient(build_app(migrated), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "postgres" in request.fixturenames or "client" in request.fixturenames:
        truncate_tables(request.getfixturevalue("postgres"), SQLModel.metadata, "todos")
