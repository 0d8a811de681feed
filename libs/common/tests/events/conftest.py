"""Event tests run in the auth role's schema, as a producing (and consuming) service would."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine, text

from tests.events.outbox_helpers import SCHEMA
from tests.fixtures import make_settings
from todo_common.database import create_db_engine
from todo_common.events.migration import create_event_tables, drop_event_tables
from todo_common.settings import CommonSettings

SettingsFactory = Callable[..., CommonSettings]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def events_settings(service_database_urls: dict[str, str]) -> SettingsFactory:
    """Settings of a service named `auth` with its own schema; override anything."""

    def factory(**overrides: Any) -> CommonSettings:
        values: dict[str, Any] = {"service_name": SCHEMA, **overrides}
        return make_settings(service_database_urls[SCHEMA], schema=SCHEMA, **values)

    return factory


@pytest.fixture(scope="module")
def engine(events_settings: SettingsFactory) -> Iterator[Engine]:
    """An engine on a schema holding the event tables, created by the migration helper."""
    engine = create_db_engine(events_settings(), model_schema=SCHEMA)
    with engine.begin() as connection:
        create_event_tables(Operations(MigrationContext.configure(connection)), SCHEMA)
    yield engine
    with engine.begin() as connection:
        drop_event_tables(Operations(MigrationContext.configure(connection)), SCHEMA)
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty_event_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" in request.fixturenames:
        with request.getfixturevalue("engine").begin() as connection:
            connection.execute(text(f"TRUNCATE {SCHEMA}.outbox_message, {SCHEMA}.processed_event"))
