"""The compose stack as the tests drive it: `make compose-up` / `make compose-down` under a
project name and gateway ports of their own, and `docker` to look at the containers."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.commands import REPO_ROOT, run


@dataclass
class ComposeStack:
    project: str
    gateway_port: int
    tls_port: int
    ops_port: int
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def environment(self) -> dict[str, str]:
        """The shell `make compose-up` runs in: ours wins over the checkout's .env."""
        return {
            **os.environ,
            "COMPOSE_PROJECT_NAME": self.project,
            "GATEWAY_PORT": str(self.gateway_port),
            "GATEWAY_TLS_PORT": str(self.tls_port),
            "GATEWAY_OPS_PORT": str(self.ops_port),
            "JWT_SECRET": self.jwt_secret,
        }

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def make(self, target: str, log: Path, timeout: float) -> subprocess.CompletedProcess[str]:
        with log.open("a") as output:
            return subprocess.run(
                ["make", "--no-print-directory", target],
                cwd=REPO_ROOT,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
            )

    def compose(self, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`docker compose <arguments>` on this project; raises with its output on failure."""
        return docker("compose", *arguments, env=self.environment, timeout=timeout)

    def container_id(self, service: str) -> str:
        ids = self.compose("ps", "--all", "--quiet", service).stdout.split()
        assert len(ids) == 1, f"{service}: {len(ids)} containers"
        return ids[0]

    def inspect(self, service: str) -> dict[str, Any]:
        found: list[dict[str, Any]] = json.loads(
            docker("inspect", self.container_id(service)).stdout
        )
        return found[0]

    def psql(self, sql: str) -> subprocess.CompletedProcess[str]:
        """`sql` in the postgres container as the superuser; the rows unaligned, one a line."""
        return self.exec(
            "postgres",
            "psql",
            "--username=postgres",
            "--dbname=todo",
            "--no-align",
            "--tuples-only",
            f"--command={sql}",
        )

    def exec(self, service: str, *command: str) -> subprocess.CompletedProcess[str]:
        """A command in the service's running container, as the container's user."""
        return run(
            ["docker", "compose", "exec", "-T", service, *command],
            env=self.environment,
            timeout=60,
            check=False,
        )

    def logs(self, service: str) -> str:
        return self.compose("logs", "--no-color", "--no-log-prefix", service).stdout

    def labelled(self, kind: str) -> list[str]:
        """The names of this project's containers, networks or volumes that still exist."""
        listing = ["ps", "--all"] if kind == "container" else [kind, "ls"]
        found = docker(
            *listing,
            "--filter",
            f"label=com.docker.compose.project={self.project}",
            "--format",
            "{{.Names}}" if kind == "container" else "{{.Name}}",
        )
        return found.stdout.split()


def docker(
    *arguments: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return run(["docker", *arguments], env=env, timeout=timeout)
