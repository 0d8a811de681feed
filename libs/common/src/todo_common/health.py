"""Liveness and readiness probes, on each service's own port (the gateway does not route them).

Readiness answers two questions: is this process accepting work (not draining for a
shutdown), and can it reach its database. How it learns the second is `READINESS_DB_MODE`:

- `ping`: every probe runs `SELECT 1`. Strict, and right for a PostgreSQL that runs anyway.
- `observe`: the probe trusts what the service's own work has seen. It pings only when it
  knows nothing yet, when the last database outcome was a failure (so it notices the
  recovery without traffic), or, if `READINESS_DB_PING_IDLE_SECONDS` is set, when nothing
  has used the database for that long. Probes alone then never query an idle database, so a
  Neon compute can scale to zero (docs/operations.md, "Neon", has the trade-off).
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from psycopg2 import InterfaceError as DriverInterfaceError
from psycopg2 import OperationalError as DriverOperationalError
from psycopg2.errors import QueryCanceled
from pydantic import BaseModel
from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import SQLAlchemyError

from todo_common.database import ping
from todo_common.errors import ServiceUnavailable
from todo_common.settings import CommonSettings

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    status: str


@dataclass(frozen=True)
class Outcome:
    ok: bool
    at: float
    """time.monotonic() of the observation."""


class DatabaseObserver:
    """The latest outcome of this process's database work, recorded by engine events.

    A statement that completes is a success; a connection that cannot be made or breaks
    (the driver's OperationalError/InterfaceError, or a disconnect) is a failure. Errors a
    client causes (a constraint, a bad cursor) or a statement timeout say nothing about
    reachability and are ignored.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._latest: Outcome | None = None

    def record(self, *, ok: bool) -> None:
        with self._lock:
            self._latest = Outcome(ok=ok, at=self._clock())

    def attach(self, engine: Engine) -> None:
        @event.listens_for(engine, "after_cursor_execute")
        def succeeded(*_: object) -> None:
            self.record(ok=True)

        @event.listens_for(engine, "handle_error")
        def failed(context: ExceptionContext) -> None:
            original = context.original_exception
            # A statement cancelled by statement_timeout is an OperationalError to psycopg2,
            # yet the database answered.
            if isinstance(original, QueryCanceled):
                return
            if context.is_disconnect or isinstance(
                original, DriverOperationalError | DriverInterfaceError
            ):
                self.record(ok=False)

    def needs_ping(self, idle_ping_seconds: float | None) -> bool:
        """Whether an `observe` probe has to ask the database itself."""
        latest = self._latest
        if latest is None or not latest.ok:
            return True
        return idle_ping_seconds is not None and self._clock() - latest.at >= idle_ping_seconds


@router.get("/healthz")
async def liveness() -> HealthStatus:
    """The process is alive and serving."""
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    responses={503: {"description": "Shutting down, or the database does not answer"}},
)
async def readiness(request: Request) -> HealthStatus:
    """The service takes traffic: it is not shutting down and can reach its database."""
    state = request.app.state
    if state.draining.active:
        raise ServiceUnavailable("The service is shutting down")
    settings: CommonSettings = state.settings
    observer: DatabaseObserver = state.database_observer
    if settings.readiness_db_mode == "ping" or observer.needs_ping(
        settings.readiness_db_ping_idle_seconds
    ):
        try:
            await run_in_threadpool(ping, state.engine)
        except SQLAlchemyError:
            # A failed connect may not reach the engine's error events; record it here too.
            observer.record(ok=False)
            raise ServiceUnavailable("The database does not answer") from None
    return HealthStatus(status="ready")
