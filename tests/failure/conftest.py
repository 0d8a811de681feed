"""The platform as `make run` starts it, on free ports, tuned so failures resolve quickly.

One session-wide stack (embedded PostgreSQL, the three services as uvicorn processes, the
real Traefik), built by scripts/devstack like tests/e2e. The settings below are the ones
the tests reason about: how long a request may wait for a database that is gone, how long
a stopping service drains, how far the relay's backoff grows. Every test leaves the stack
whole again (database up, every service running and routed), whatever it broke.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.stack import Stack
from tests.failure.load import HTTP_TROUBLE
from tests.integration.processes import ServiceProcess
from tests.platform import platform_token, running_platform
from todo_common.testing.harness import query as query_as
from todo_common.testing.waiting import holds_within

# How long a request may wait for the database, in seconds; an answer to a request the
# database cannot serve comes within their sum (see ANSWER_BOUND_SECONDS).
DB_POOL_TIMEOUT_SECONDS = 2.0
DB_CONNECT_TIMEOUT_SECONDS = 2
DB_CONNECT_RETRY_SECONDS = 2.0
# Scheduling on a busy 2-core machine, the gateway's hop and its error page.
ANSWER_MARGIN_SECONDS = 4.0
ANSWER_BOUND_SECONDS = (
    DB_POOL_TIMEOUT_SECONDS
    + DB_CONNECT_TIMEOUT_SECONDS
    + DB_CONNECT_RETRY_SECONDS
    + ANSWER_MARGIN_SECONDS
)
SHUTDOWN_DRAIN_SECONDS = 3.0
GRACEFUL_SHUTDOWN_SECONDS = 10
OUTBOX_RETRY_MAX_SECONDS = 8.0

FAILURE_ENVIRONMENT = {
    "DB_POOL_TIMEOUT_SECONDS": str(DB_POOL_TIMEOUT_SECONDS),
    "DB_CONNECT_TIMEOUT_SECONDS": str(DB_CONNECT_TIMEOUT_SECONDS),
    "DB_CONNECT_RETRY_SECONDS": str(DB_CONNECT_RETRY_SECONDS),
    "SHUTDOWN_DRAIN_SECONDS": str(SHUTDOWN_DRAIN_SECONDS),
    # uvicorn reads its options from UVICORN_* variables too: the bound on finishing the
    # requests in flight once it stops accepting.
    "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": str(GRACEFUL_SHUTDOWN_SECONDS),
    "OUTBOX_POLL_SECONDS": "0.2",
    "OUTBOX_RETRY_INITIAL_SECONDS": "1",
    "OUTBOX_RETRY_MAX_SECONDS": str(OUTBOX_RETRY_MAX_SECONDS),
    "OUTBOX_REPORT_SECONDS": "5",
}


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    # A throwaway PostgreSQL always (running_platform): these tests stop it.
    with running_platform(FAILURE_ENVIRONMENT, prefix="todo-failure-") as platform:
        yield platform


@pytest.fixture(autouse=True)
def whole_again(stack: Stack) -> Iterator[None]:
    """After each test: the database runs, every service runs and the gateway routes it."""
    yield
    assert stack.databases is not None
    server = stack.databases.server
    assert server is not None
    if not server.is_running():
        server.start()
    for service in stack.settings.running:
        if not stack.processes[service.name].is_running():
            stack.start_service(service.name)
    with httpx.Client(base_url=stack.gateway_ports.url, timeout=5) as probe:

        def routed(prefix: str) -> bool:
            return probe.get(f"{prefix}/openapi.json").status_code == 200

        for service in stack.settings.running:
            assert holds_within(
                partial(routed, service.api_prefix), within=30, ignoring=HTTP_TROUBLE
            ), f"{service.name} is not routed again"


@pytest.fixture(scope="module")
def start_replica(stack: Stack) -> Iterator[Callable[..., str]]:
    """Starts another process of a service on the stack's database (a second replica, with
    `overrides` to its environment); returns its base URL. Stopped after the module."""
    assert stack.databases is not None
    databases = stack.databases
    log_dir = Path(tempfile.mkdtemp(prefix="todo-failure-replica-"))
    replicas: list[ServiceProcess] = []

    def start(name: str, **overrides: str) -> str:
        replica = ServiceProcess(
            name, databases.urls[name], {**stack.service_environment, **overrides}, log_dir
        )
        replicas.append(replica)
        replica.start()
        return replica.url

    try:
        yield start
    finally:
        for replica in replicas:
            replica.stop()
        shutil.rmtree(log_dir, ignore_errors=True)


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway_ports.url, timeout=30) as http:
        yield http


def bearer(stack: Stack, user_id: uuid.UUID | None = None, *, role: str = "user") -> dict[str, str]:
    """An Authorization header with a token signed as auth signs them, for a fresh user."""
    subject = user_id or uuid.uuid4()
    token = platform_token(stack, subject, role=role, email=f"{subject.hex[:12]}@example.com")
    return {"Authorization": f"Bearer {token}"}


def query(stack: Stack, service: str, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
    """Rows of `sql`, run as `service`'s own database role (what the service itself sees)."""
    assert stack.databases is not None
    return query_as(stack.databases.urls[service], sql, parameters)
