"""The services as real processes: uvicorn on free loopback ports, one embedded PostgreSQL.

Each service connects as its own database role, is migrated with its own Alembic history
first, and talks to the others only over HTTP, as in a deployment. Processes are stopped
by their PID when the run ends.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.processes import ServiceProcess
from todo_common.ports import free_port
from todo_common.testing.harness import TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET


class LoggingServiceProcess(ServiceProcess):
    """A service whose JSON log lines a test reads."""

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_file.read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
        return lines


@dataclass
class Stack:
    users: LoggingServiceProcess
    todos: LoggingServiceProcess


def base_environment() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "JWT_SECRET": TEST_JWT_SECRET,
        "JWT_ALGORITHMS": "HS256",
        "JWT_ISSUER": TEST_ISSUER,
        "JWT_AUDIENCE": TEST_AUDIENCE,
        "LOG_LEVEL": "INFO",
        # Relays that retry within a test's patience: after 0.1 s, doubling up to 0.5 s.
        "OUTBOX_POLL_SECONDS": "0.05",
        "OUTBOX_RETRY_INITIAL_SECONDS": "0.1",
        "OUTBOX_RETRY_MAX_SECONDS": "0.5",
        "OUTBOX_REPORT_SECONDS": "0.5",
    }


@pytest.fixture(scope="session")
def stack(service_database_urls: dict[str, str]) -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="todo-integration-"))
    todos = LoggingServiceProcess(
        "todos", service_database_urls["todos"], base_environment(), workdir
    )
    # auth is not part of this stack: its address refuses connections, so the relay keeps
    # its user.deleted messages waiting, as it would while auth is down.
    subscribers = {"todos": todos.url, "auth": f"http://127.0.0.1:{free_port()}"}
    users = LoggingServiceProcess(
        "users",
        service_database_urls["users"],
        {**base_environment(), "EVENT_SUBSCRIBERS": json.dumps(subscribers)},
        workdir,
    )
    services = [todos, users]
    try:
        for service in services:
            service.migrate()
        for service in services:
            service.start()
        yield Stack(users=users, todos=todos)
    finally:
        for service in services:
            service.stop()
        shutil.rmtree(workdir, ignore_errors=True)
