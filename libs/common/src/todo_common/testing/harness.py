"""Helpers for tests of any service: settings for a database under test, emptying tables."""

from collections.abc import Callable
from typing import Any

import psycopg2
from sqlalchemy import MetaData, Table

from todo_common.embedded_postgres import EmbeddedPostgres
from todo_common.tables import SHARED_TABLE_SCHEMA

SERVICES = ["auth", "users", "todos"]
TEST_JWT_SECRET = "test-only-signing-secret-0123456789abcdef"  # noqa: S105
TEST_ISSUER = "todo-auth"
TEST_AUDIENCE = "todo-platform"

TokenFactory = Callable[..., str]


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
