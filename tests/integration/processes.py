"""A service as a uvicorn process on a free loopback port, started as `make run` starts it.

Migrating, starting, waiting for /readyz and stopping by PID are scripts/devstack's own
(`devstack.services`, `devstack.processes.ManagedProcess`); what is the tests' is the port,
the environment (exactly the one given: nothing of the developer's shell leaks in) and the
working folder, the log folder, where no `.env` is.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devstack import services
from devstack.processes import ManagedProcess, StartupError
from devstack.services import Service
from todo_common.ports import free_port

READY_TIMEOUT_SECONDS = 30


@dataclass
class ServiceProcess:
    """One service; `stop()` and `start()` take it down and back, on the same port."""

    name: str
    database_url: str
    environment: Mapping[str, str]
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: ManagedProcess | None = field(default=None, init=False, repr=False)

    @property
    def service(self) -> Service:
        return Service(self.name, self.port)

    @property
    def url(self) -> str:
        return self.service.base_url

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def migrate(self) -> None:
        services.migrate(self.service, self.database_url, self.environment)

    def start(self) -> None:
        """Start it and wait until /readyz answers; if it does not, stop it and fail."""
        process = dataclasses.replace(
            services.service_process(
                self.service, self.database_url, self.environment, self.log_dir
            ),
            cwd=self.log_dir,  # no `.env` here: the environment above is the whole story
        )
        process.start()
        self.process = process
        try:
            services.wait_until_ready(self.service, process, timeout=READY_TIMEOUT_SECONDS)
        except StartupError as error:
            self.stop()
            raise AssertionError(
                f"{error}; last lines of {process.log}:\n{process.log_tail(40)}"
            ) from error

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None
