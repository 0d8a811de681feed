"""The engine, sessions and transactions every service uses (SQLModel on psycopg2, sync)."""

import logging
import select
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio
import psycopg2
from anyio import to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event, exc, text
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
        # No ping on every checkout (a round trip per request): a connection is pinged only
        # after it sat idle (_ping_after_idle); one that breaks in use invalidates the whole
        # pool, so the connections opened before a database restart are all replaced.
        pool_pre_ping=False,
        # Under light load the same few connections serve everything and the rest age out
        # (pool_recycle) instead of each being woken in turn.
        pool_use_lifo=True,
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
    _ping_after_idle(engine, settings.db_ping_after_idle_seconds)
    _restore_characteristics_before_checkin(engine)
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


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    # A connection that waited in the pool may have been dropped meanwhile. Two checks on
    # checkout, instead of a ping round trip on every one:
    # - a server that closes a connection (a restart, PgBouncer or Neon ending it) sends an
    #   error and/or EOF, so an idle connection with something to read is dead: a zero-
    #   timeout select() sees that without a round trip;
    # - a connection idle longer than `idle_seconds` may have been dropped silently (a NAT):
    #   it is pinged. Busy connections are never idle that long.
    # Raising DisconnectionError makes the pool open a fresh connection instead.
    @event.listens_for(engine, "checkin")
    def remember_checkin(dbapi_connection: Any, connection_record: Any) -> None:
        connection_record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def check_before_use(dbapi_connection: Any, connection_record: Any, proxy: Any) -> None:
        checked_in_at = connection_record.info.get("checked_in_at")
        if checked_in_at is None:
            return  # just opened
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
        if readable:
            raise exc.DisconnectionError("the server closed this idle connection")
        if time.monotonic() - checked_in_at < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(f"idle connection was dropped: {error}") from error
        if not alive:
            raise exc.DisconnectionError("idle connection was dropped")


def _restore_characteristics_before_checkin(engine: Engine) -> None:
    # `read_only` switches a connection to autocommit, and SQLAlchemy switches it back at
    # check-in, after the guard that discards a connection whose reset fails. A connection
    # the server dropped in between (a restart) would raise there, outside every handler: a
    # 500 for a request that had its answer, and the connection lost from the pool for good.
    # Restoring it in the pool's reset, inside that guard, makes a failure discard the dead
    # connection instead, and the pool opens a fresh one when it is next needed.
    @event.listens_for(engine, "reset")
    def restore(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        callbacks = connection_record.finalize_callback if connection_record else None
        while callbacks:
            callbacks.pop()(dbapi_connection)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session inside one transaction: committed on success, rolled back on any error.

    For work outside a request (start-up tasks, relays); requests use `SessionDep`.
    """
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


# Commits and rollbacks run in threads of their own, never waiting for a thread that a
# request blocked on the pool holds.
_FINISHING_THREADS = anyio.CapacityLimiter(64)


def connection_slots(settings: CommonSettings) -> anyio.Semaphore:
    """How many requests may use the database at once: as many as the pool has connections.

    A request waits for a slot here, on the event loop, before any thread of its takes a
    connection. Without it, threads blocked on an empty pool can hold every worker thread
    while the requests holding the connections wait for a thread to finish (FastAPI
    serialises a sync route's answer in a thread before its dependencies exit): a deadlock
    until the pool timeout. It also means the pool never needs overflow connections, which
    would be opened and closed again under load (connection churn).
    """
    # fast_acquire: a free slot is taken without a trip through the event loop.
    return anyio.Semaphore(settings.db_pool_size + settings.db_max_overflow, fast_acquire=True)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session inside one transaction: committed after the handler, rolled back on error.

    Async so that opening it (which does no I/O: the connection is taken at the first
    query) costs no thread hop; the commit runs in a thread.
    """
    async with request.app.state.connection_slots:
        session = Session(request.app.state.engine, expire_on_commit=False)
        try:
            yield session
            await to_thread.run_sync(_commit_and_close, session, limiter=_FINISHING_THREADS)
        except BaseException:
            # Shielded: a client that went away must not leave the transaction open.
            with anyio.CancelScope(shield=True):
                await to_thread.run_sync(session.close, limiter=_FINISHING_THREADS)
            raise


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


# scope="function" commits before the response is sent, so a failed commit becomes an
# error response instead of a success the database never kept.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def read_only(engine: Engine) -> Engine:
    """The engine for reads of one statement: autocommit, so no BEGIN and COMMIT round trips.

    Use it for a read that is one SELECT (one consistent snapshot by itself); reads that
    must agree with each other or with a write belong in a transaction (`SessionDep`).
    """
    return engine.execution_options(isolation_level="AUTOCOMMIT")


async def get_read_engine(request: Request) -> AsyncIterator[Engine]:
    """The autocommit engine, while this request holds one of the connection slots."""
    async with request.app.state.connection_slots:
        yield request.app.state.read_engine


# A request takes one slot: SessionDep or ReadEngineDep, not both.
ReadEngineDep = Annotated[Engine, Depends(get_read_engine, scope="function")]


def ping(engine: Engine) -> None:
    """Raise if the database does not answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
