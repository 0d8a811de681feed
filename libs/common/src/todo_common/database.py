"""The engine, sessions and transactions every service uses (SQLModel on psycopg2, sync)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import psycopg2
from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential_jitter,
)

from todo_common.settings import CommonSettings
from todo_common.tables import SHARED_TABLE_SCHEMA

logger = logging.getLogger(__name__)


def create_db_engine(
    settings: CommonSettings, *, model_schema: str | None = None, url: str | None = None
) -> Engine:
    """One engine per process, tuned for Neon (pooled endpoint, scale-to-zero) and local runs.

    `model_schema` is the schema the table models name; when `DB_SCHEMA` differs, every
    statement is rendered against `DB_SCHEMA` instead (still schema-qualified, never through
    `search_path`, which PgBouncer's transaction mode does not keep). `url` overrides the
    pooled URL, e.g. with the direct one for migrations.
    """
    database_url = make_url(url or settings.database_url).set(drivername="postgresql+psycopg2")
    engine = create_engine(
        database_url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=settings.db_pool_recycle_seconds,
        connect_args={
            "connect_timeout": settings.db_connect_timeout_seconds,
            "application_name": settings.service_name,
            # Keepalives notice a silently dropped connection (NAT, suspended compute)
            # long before the kernel's two-hour default.
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        },
    )
    _retry_refused_connections(engine, settings.db_connect_retry_seconds)
    # Tables defined once in common (the outbox) name SHARED_TABLE_SCHEMA; they live in the
    # schema of whichever service uses them.
    schema_map = {SHARED_TABLE_SCHEMA: settings.db_schema}
    if model_schema is not None and model_schema != settings.db_schema:
        schema_map[model_schema] = settings.db_schema
    return engine.execution_options(schema_translate_map=schema_map)


def _retry_refused_connections(engine: Engine, budget_seconds: float) -> None:
    # A Neon compute waking from scale-to-zero refuses connections for a moment; retrying
    # with backoff makes that invisible. A database that stays down still fails within
    # the budget, and the error handler turns that into a 503.
    retrying = Retrying(
        retry=retry_if_exception_type(psycopg2.OperationalError),
        stop=stop_after_delay(budget_seconds),
        wait=wait_exponential_jitter(multiplier=0.1, max=2.0, jitter=0.2),
        before_sleep=before_sleep_log(logger, logging.WARNING),
        reraise=True,
    )

    @event.listens_for(engine, "do_connect")
    def connect_with_retry(
        dialect: Any, connection_record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
    ) -> Any:
        return retrying(dialect.loaded_dbapi.connect, *cargs, **cparams)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session inside one transaction: committed on success, rolled back on any error.

    For work outside a request (start-up tasks, relays); requests use `SessionDep`.
    """
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def get_session(request: Request) -> Iterator[Session]:
    with transaction(request.app.state.engine) as session:
        yield session


# scope="function" commits before the response is sent, so a failed commit becomes an
# error response instead of a success the database never kept.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def ping(engine: Engine) -> None:
    """Raise if the database does not answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
