"""Alembic's `env.py`, written once: each service's env.py calls `run_migrations`."""

from alembic import context
from sqlalchemy import Connection, MetaData, text

from todo_common.database import create_db_engine
from todo_common.settings import CommonSettings


def run_migrations(target_metadata: MetaData, settings: CommonSettings, model_schema: str) -> None:
    """Migrate the service's schema over the direct (unpooled) URL.

    The version table lives in the service's own schema, so each service keeps its own
    history and its database role needs no rights outside that schema.
    """
    schema = settings.db_schema
    if context.is_offline_mode():
        if model_schema != schema:
            # Offline SQL is compiled without an engine, so `schema_translate_map` cannot
            # rename the schema: the script would silently target `model_schema` instead.
            raise RuntimeError(
                f"Offline (--sql) migrations cannot map schema {model_schema!r} onto "
                f"DB_SCHEMA={schema!r}; run them online, or render them with the default schema"
            )
        context.configure(
            url=settings.migration_database_url,
            target_metadata=target_metadata,
            version_table_schema=schema,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    engine = create_db_engine(
        settings, model_schema=model_schema, url=settings.migration_database_url
    )
    try:
        with engine.connect() as connection:
            # Two replicas starting at once must not both migrate: serialise on a lock
            # keyed by the schema name (released when the connection closes).
            connection.execute(
                text("SELECT pg_advisory_lock(hashtext(:schema))"), {"schema": schema}
            )
            # Building an index on a big table may take longer than a request's statement.
            connection.execute(text("SET statement_timeout = 0"))
            connection.commit()
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                version_table_schema=schema,
                include_schemas=False,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
            _set_statement_timeout(connection, settings.db_statement_timeout_ms)
    finally:
        engine.dispose()


def _set_statement_timeout(connection: Connection, milliseconds: int) -> None:
    # A role default, not a per-connection SET: through PgBouncer's transaction mode (Neon's
    # pooled endpoint) a session SET lands on whichever server connection ran it, while a
    # role default applies to every server session the pooler opens as this role. New
    # sessions pick it up; the ones already open keep theirs until they are recycled.
    # ALTER ROLE takes no bind parameters; the value is a validated int.
    connection.execute(text(f"ALTER ROLE CURRENT_USER SET statement_timeout = {int(milliseconds)}"))
    connection.commit()
