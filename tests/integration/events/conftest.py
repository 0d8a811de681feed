"""The services as real processes: uvicorn on free loopback ports, one embedded PostgreSQL.

Each service connects as its own database role, is migrated with its own Alembic history
first, and talks to the others only over HTTP, as in a deployment. Processes are stopped
by their PID when the run ends.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg2
import psycopg2.extras
import pytest

from todo_common.embedded_postgres import free_port
from todo_common.testing.harness import TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET

ROOT = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent


@dataclass
class ServiceProcess:
    """One service under uvicorn; `stop()` and `start()` take it down and back, same port."""

    name: str
    database_url: str
    environment: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def migrate(self) -> None:
        result = subprocess.run(
            [str(VENV_BIN / "alembic"), "-c", "alembic.ini", "upgrade", "head"],
            cwd=ROOT / "services" / self.name,
            env=self._env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{self.name} migrations failed:\n{result.stderr}"

    def start(self) -> None:
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(VENV_BIN / "uvicorn"),
                    "--factory",
                    f"{self.name}.main:build_app",
                    *("--host", "127.0.0.1", "--port", str(self.port)),
                    "--no-access-log",
                ],
                # No `.env` in the working folder: the environment below is the whole story.
                cwd=self.workdir,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_ready()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_file.read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
        return lines

    def _env(self) -> dict[str, str]:
        return {**self.environment, "DATABASE_URL": self.database_url}

    def _wait_until_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.log_file.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} not ready in {timeout} s")


@dataclass
class Stack:
    users: ServiceProcess
    todos: ServiceProcess


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
    todos = ServiceProcess("todos", service_database_urls["todos"], base_environment(), workdir)
    # auth is not part of this stack: its address refuses connections, so the relay keeps
    # its user.deleted messages waiting, as it would while auth is down.
    subscribers = {"todos": todos.url, "auth": f"http://127.0.0.1:{free_port()}"}
    users = ServiceProcess(
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


def query(database_url: str, sql: str, parameters: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Rows of `sql`, run as the role of `database_url` (a service's own)."""
    connection = psycopg2.connect(database_url)
    try:
        with connection, connection.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
            cursor.execute(sql, parameters)
            return [dict(row) for row in cursor.fetchall()] if cursor.description else []
    finally:
        connection.close()
