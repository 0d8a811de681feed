"""Helpers for tests of any service: settings for a database under test, emptying tables."""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import psycopg2
import psycopg2.extras
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, Table
from sqlmodel import SQLModel

from todo_common.embedded_postgres import EmbeddedPostgres
from todo_common.events.relay import TokenProvider
from todo_common.security.service_tokens import (
    SERVICE_ROLE,
    SERVICE_SUBJECT_PREFIX,
    LocalServiceTokenMinter,
)
from todo_common.security.tokens import mint_token
from todo_common.settings import CommonSettings
from todo_common.tables import SHARED_TABLE_SCHEMA

TEST_JWT_SECRET = "test-only-signing-secret-0123456789abcdef"  # noqa: S105
TEST_ISSUER = "todo-auth"
TEST_AUDIENCE = "todo-platform"

TokenFactory = Callable[..., str]
SettingsT = TypeVar("SettingsT", bound=CommonSettings)


def service_settings_values(database_url: str, schema: str) -> dict[str, Any]:
    """Settings for a service under test: fast failure when the database is down."""
    return {
        "database_url": database_url,
        "db_schema": schema,
        "jwt_secret": TEST_JWT_SECRET,
        "jwt_algorithms": ["HS256"],
        "jwt_issuer": TEST_ISSUER,
        "jwt_audience": TEST_AUDIENCE,
        "db_connect_retry_seconds": 1.0,
        "db_connect_timeout_seconds": 2,
        "db_pool_timeout_seconds": 2.0,
        "log_level": "WARNING",
    }


@dataclass(frozen=True)
class ServiceUnderTest(Generic[SettingsT]):
    """Where a service's migrations are, how its app is built, and its settings under test."""

    # The folder holding the service's alembic.ini.
    root: Path
    settings_type: type[SettingsT]
    build_app: Callable[[SettingsT], FastAPI]
    # What the suite sets on top of `service_settings_values` (e.g. a cheap password hash).
    test_values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        name: str = self.settings_type.model_fields["service_name"].default
        return name

    def settings(self, database_url: str, **overrides: Any) -> SettingsT:
        values = {
            **service_settings_values(database_url, self.name),
            **self.test_values,
            **overrides,
        }
        return self.settings_type(_env_file=None, **values)


def migrate(service_root: Path, settings: CommonSettings) -> None:
    """Bring a service's schema to head with its real Alembic history, using `settings`."""
    config = Config(str(service_root / "alembic.ini"))
    config.attributes["settings"] = settings
    command.upgrade(config, "head")


def migrated_client(
    service_root: Path, settings: SettingsT, build_app: Callable[[SettingsT], FastAPI]
) -> Iterator[TestClient]:
    """The service migrated to head and called in-process; the app's lifespan runs around it.

    For a service's session-scoped `client` fixture: `yield from migrated_client(...)`.
    """
    migrate(service_root, settings)
    with TestClient(build_app(settings), raise_server_exceptions=False) as client:
        yield client


def empty_tables_after(request: pytest.FixtureRequest, service_schema: str) -> Iterator[None]:
    """For a service's autouse fixture: after a test that used the database, empty its tables."""
    yield
    if "postgres" in request.fixturenames or "client" in request.fixturenames:
        truncate_tables(request.getfixturevalue("postgres"), SQLModel.metadata, service_schema)


def truncate_tables(
    postgres: EmbeddedPostgres, metadata: MetaData, service_schema: str, database: str = "todo"
) -> None:
    """Empty every table of `metadata`, so each test starts from nothing.

    Tables common defines for every service (SHARED_TABLE_SCHEMA) are emptied in
    `service_schema`, where that service keeps them.
    """

    def schema_of(table: Table) -> str | None:
        return service_schema if table.schema == SHARED_TABLE_SCHEMA else table.schema

    names = ", ".join(f'"{schema_of(table)}"."{table.name}"' for table in metadata.sorted_tables)
    if not names:
        return
    connection = psycopg2.connect(postgres.url(database=database))
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {names} CASCADE")
    finally:
        connection.close()


def query(database_url: str, sql: str, parameters: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Rows of `sql`, run as the role of `database_url` (a service's own)."""
    connection = psycopg2.connect(database_url)
    try:
        with connection, connection.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
            cursor.execute(sql, parameters)
            return [dict(row) for row in cursor.fetchall()] if cursor.description else []
    finally:
        connection.close()


def mint_service_token(caller: str, audience: str, **overrides: Any) -> str:
    """A service token from `caller` to `audience`, as auth would issue it for the tests."""
    values: dict[str, Any] = {
        "subject": f"{SERVICE_SUBJECT_PREFIX}{caller}",
        "role": SERVICE_ROLE,
        "issuer": TEST_ISSUER,
        "audience": audience,
        "signing_key": TEST_JWT_SECRET,
        "algorithm": "HS256",
        "lifetime": timedelta(minutes=5),
        **overrides,
    }
    return mint_token(**values)


def service_token_minter(caller: str) -> TokenProvider:
    """A relay's token provider for the tests: audience -> a fresh service token."""
    return LocalServiceTokenMinter(client_id=caller, secret=TEST_JWT_SECRET, issuer=TEST_ISSUER)
