"""The platform's services as local processes: migrate, start with uvicorn, wait until ready."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack import ROOT, processes
from devstack.processes import ManagedProcess, StartupError, answers_ok, tail
from todo_common.platform import SERVICE_PORTS

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Service:
    name: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url_variable(self) -> str:
        """The variable gateway/dynamic.yml (and other services) read this service's URL from."""
        return f"{self.name.upper()}_URL"

    @property
    def api_prefix(self) -> str:
        return f"/api/v1/{self.name}"

    @property
    def folder(self) -> Path:
        return ROOT / "services" / self.name


def configured_port(name: str) -> int:
    """The port of `name` under `make run`: <NAME>_PORT, else the one compose and k8s use."""
    return int(os.environ.get(f"{name.upper()}_PORT", SERVICE_PORTS[name]))


def migrate(service: Service, database_url: str, environment: Mapping[str, str]) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "alembic"), "-c", "alembic.ini", "upgrade", "head"],
        cwd=service.folder,
        env={**environment, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StartupError(f"{service.name} migrations", tail(result.stderr + result.stdout))


def service_process(
    service: Service, database_url: str, environment: Mapping[str, str], log_dir: Path
) -> ManagedProcess:
    return ManagedProcess(
        name=service.name,
        command=[
            str(VENV_BIN / "uvicorn"),
            "--factory",
            f"{service.name}.main:build_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(service.port),
            # The containers' settings (the root Dockerfile): uvicorn's fast event loop and
            # HTTP parser, and WEB_CONCURRENCY workers (uvicorn reads it; one by default).
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",  # the service writes its own, with request ids
            "--no-server-header",
        ],
        log=log_dir / f"{service.name}.log",
        environment={**environment, "DATABASE_URL": database_url},
        cwd=ROOT,
    )


def wait_until_ready(service: Service, process: ManagedProcess, timeout: float = 60) -> None:
    processes.wait_until_ready(
        service.name, process, lambda: answers_ok(f"{service.base_url}/readyz"), timeout
    )
