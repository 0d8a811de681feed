"""The whole local platform: database, services, gateway. `make run` and the e2e tests use it."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from devstack import frontend, gateway, postgres, services
from devstack.frontend import FrontendSettings
from devstack.processes import ManagedProcess, StartupError, environment_with, port_is_free
from devstack.services import Service


def _quiet(_message: str) -> None:
    pass


@dataclass
class StackSettings:
    data_dir: Path
    """Database files (unless DATABASE_URL), logs/ and the rendered gateway configuration."""
    running: Sequence[Service]
    """The services to start: every one of the platform (todo_common.platform)."""
    gateway: gateway.GatewayPorts = field(default_factory=gateway.GatewayPorts)
    database_url: str | None = None
    postgres_port: int | None = None
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    environment: Mapping[str, str] = field(default_factory=dict)
    """Extra variables for every child (e.g. CORS_ORIGINS, GATEWAY_AUTH_RATE_BURST)."""
    frontend: FrontendSettings | None = None
    """The browser app, served once the gateway is ready; None: no frontend."""

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


class Stack:
    """Start with `start()`, stop with `stop()`; `stop_service`/`start_service` in between."""

    def __init__(self, settings: StackSettings, say: Callable[[str], None] = _quiet) -> None:
        self.settings = settings
        self.say = say
        self.databases: postgres.Databases | None = None
        self.processes: dict[str, ManagedProcess] = {}
        self.traefik: Path | None = None

    # Addresses

    @property
    def gateway_ports(self) -> gateway.GatewayPorts:
        return self.settings.gateway

    def service(self, name: str) -> Service:
        for service in self.settings.running:
            if service.name == name:
                return service
        raise KeyError(f"{name} is not a running service of this stack")

    # Lifecycle

    def start(self) -> None:
        """Start everything and wait until it is ready.

        On failure it raises (StartupError names the part) and leaves what did start running:
        call `stop()`, which stops whatever started, after reporting.
        """
        settings = self.settings
        self._check_ports_are_free()
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        if settings.frontend is not None:
            # First: a broken build stops the start before anything else is running.
            frontend.build(settings.frontend, settings.log_dir, self.say)
        self.traefik = gateway.traefik_binary()
        self.say(f"traefik: {self.traefik}")
        self.databases = postgres.provide_databases(
            settings.data_dir,
            [service.name for service in settings.running],
            database_url=settings.database_url,
            port=settings.postgres_port,
            say=self.say,
        )
        for service in settings.running:
            self.say(f"migrating {service.name}")
            services.migrate(service, self.databases.urls[service.name], self.service_environment)
        for service in settings.running:
            self.start_service(service.name)
        self._start_gateway()
        if settings.frontend is not None:
            self._start_frontend(settings.frontend)

    def start_service(self, name: str) -> None:
        """Start (or restart) one service and wait until its /readyz answers."""
        service = self.service(name)
        if self.databases is None:
            raise RuntimeError("start() the stack before starting one of its services")
        self.say(f"starting {name} on {service.base_url}")
        process = services.service_process(
            service,
            self.databases.urls[name],
            self.service_environment,
            self.settings.log_dir,
        )
        self.processes[name] = process
        process.start()
        services.wait_until_ready(service, process)
        self.say(f"{name} is ready")

    def stop_service(self, name: str) -> None:
        process = self.processes.get(name)
        if process is not None:
            process.stop()

    def _start_gateway(self) -> None:
        settings = self.settings
        if self.traefik is None:
            self.traefik = gateway.traefik_binary()
        config = gateway.render_static_config(
            settings.gateway, settings.data_dir / "gateway", settings.log_dir
        )
        self.say(f"starting the gateway on {settings.gateway.url}")
        process = gateway.gateway_process(
            self.traefik, config, self.gateway_environment, settings.log_dir
        )
        self.processes["gateway"] = process
        process.start()
        gateway.wait_until_ready(settings.gateway, process, running=settings.running)
        self.say("the gateway is ready")

    def _start_frontend(self, settings: FrontendSettings) -> None:
        self.say(f"starting the frontend on {settings.url}")
        process = frontend.frontend_process(settings, environment_with({}), self.settings.log_dir)
        self.processes["frontend"] = process
        process.start()
        frontend.wait_until_ready(settings, process)
        self.say("the frontend is ready")

    def stop(self) -> None:
        """Stop the frontend, the gateway, the services, then the database; each by its PID."""
        names = ["frontend", "gateway", *reversed([s.name for s in self.settings.running])]
        for name in names:
            process = self.processes.get(name)
            if process is not None and process.is_running():
                self.say(f"stopping {name}")
                if process.stop():
                    self.say(f"{name} did not stop in time; killed it")
        if self.databases is not None and self.databases.server is not None:
            self.say("stopping PostgreSQL")
            self.databases.stop()
            self.databases = None

    def exited(self) -> list[ManagedProcess]:
        """Children that have stopped by themselves."""
        return [process for process in self.processes.values() if process.exit_code is not None]

    # Environments

    @property
    def _service_urls(self) -> dict[str, str]:
        return {service.url_variable: service.base_url for service in self.settings.running}

    @property
    def _service_base_urls(self) -> dict[str, str]:
        return {service.name: service.base_url for service in self.settings.running}

    @property
    def service_environment(self) -> dict[str, str]:
        return environment_with(
            {
                "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
                "JWT_SECRET": self.settings.jwt_secret,
                **self._service_urls,
                # Where each producer's relay delivers events: every service, by name.
                "EVENT_SUBSCRIBERS": json.dumps(self._service_base_urls),
                **self.settings.environment,
                # The gateway answers CORS for the platform; a service adding its own headers
                # would grant origins the gateway refuses.
                "CORS_ORIGINS": "",
            }
        )

    @property
    def gateway_environment(self) -> dict[str, str]:
        return environment_with({**self._service_urls, **self.settings.environment})

    def _check_ports_are_free(self) -> None:
        ports = self.settings.gateway
        wanted = {
            "gateway": [ports.web, ports.tls, ports.ops],
            **{service.name: [service.port] for service in self.settings.running},
            **({"frontend": [self.settings.frontend.port]} if self.settings.frontend else {}),
        }
        for part, numbers in wanted.items():
            for port in numbers:
                if not port_is_free(port):
                    raise StartupError(
                        part, f"port {port} on 127.0.0.1 is taken by another program"
                    )
