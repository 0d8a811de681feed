"""`make run`: the whole platform on this machine, until Ctrl-C or SIGTERM.

Starts embedded PostgreSQL (unless DATABASE_URL is set), migrates and starts the three
services, starts the Traefik gateway, waits until everything is ready, prints
the URLs, and on Ctrl-C or SIGTERM stops every child it started. A second run while one is
up says so and exits.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import signal
import time
from pathlib import Path
from typing import IO

from dotenv import dotenv_values

from devstack import ROOT, services
from devstack.frontend import FrontendSettings
from devstack.gateway import GatewayPorts
from devstack.processes import StartupError, tail
from devstack.services import Service
from devstack.stack import Stack, StackSettings
from todo_common.platform import SERVICES

# TODO_DATA_DIR moves it (the runner's own tests use a throwaway one).
DATA_DIR = Path(os.environ.get("TODO_DATA_DIR", ROOT / ".data"))


def say(message: str) -> None:
    print(f"[run] {message}", flush=True)


def main() -> int:
    _load_dotenv()
    DATA_DIR.mkdir(exist_ok=True)
    lock = _single_instance_lock()
    if lock is None:
        say(
            f"the stack is already running (another `make run` holds {DATA_DIR / 'run.lock'});"
            " stop it first"
        )
        return 1

    stack = Stack(_settings(), say=say)
    stopping_because: list[str] = []

    def request_stop(signum: int, _frame: object) -> None:
        stopping_because.append(signal.Signals(signum).name)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    started = time.monotonic()
    try:
        stack.start()
        say(f"everything is ready in {time.monotonic() - started:.1f} s")
        _print_urls(stack)
        while True:
            for process in stack.exited():
                _report_failure(
                    StartupError(process.name, f"exited with code {process.exit_code}", process.log)
                )
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        say(f"{stopping_because[0]} received, stopping…" if stopping_because else "stopping…")
        return 0
    except StartupError as error:
        _report_failure(error)
        return 1
    finally:
        # Ctrl-C pressed again while stopping must not leave children behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        say("stopped")
        lock.close()


def _settings() -> StackSettings:
    gateway_port = int(os.environ.get("GATEWAY_PORT", "8080"))
    return StackSettings(
        data_dir=DATA_DIR,
        running=[Service(name, services.configured_port(name)) for name in SERVICES],
        gateway=GatewayPorts(
            web=gateway_port,
            tls=int(os.environ.get("GATEWAY_TLS_PORT", "8443")),
            ops=int(os.environ.get("GATEWAY_OPS_PORT", "8082")),
        ),
        database_url=os.environ.get("DATABASE_URL") or None,
        postgres_port=int(os.environ.get("POSTGRES_PORT", "0")) or None,
        jwt_secret=os.environ.get("JWT_SECRET") or _dev_jwt_secret(),
        frontend=FrontendSettings(
            port=int(os.environ.get("FRONTEND_PORT", "3000")),
            # The page and the API both on `localhost`: one site for the SameSite cookie.
            api_url=f"http://localhost:{gateway_port}",
            build_dir=DATA_DIR / "frontend",
        ),
    )


def _load_dotenv() -> None:
    # The services read `.env` themselves; Traefik and this runner do not, so its values are
    # put into the environment every child inherits. Exported variables win.
    for key, value in dotenv_values(ROOT / ".env").items():
        if value is not None:
            os.environ.setdefault(key, value)


def _single_instance_lock() -> IO[str] | None:
    handle = (DATA_DIR / "run.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _dev_jwt_secret() -> str:
    # Kept across runs so tokens from the last session stay valid; never used in production.
    path = DATA_DIR / "dev-jwt-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _print_urls(stack: Stack) -> None:
    ports = stack.gateway_ports
    gateway_url = f"http://localhost:{ports.web}"
    lines = ["", "The Todo platform is running:"]
    if stack.settings.frontend is not None:
        lines.append(f"  the app (frontend)       {stack.settings.frontend.url}")
    lines.append(f"  gateway (the API)        {gateway_url}")
    for service in stack.settings.running:
        lines.append(f"  {service.name:6} API docs          {gateway_url}{service.api_prefix}/docs")
    lines += [
        f"  gateway over TLS         https://localhost:{ports.tls} (self-signed certificate)",
        f"  gateway metrics          http://localhost:{ports.ops}/metrics (and /ping)",
        f"  logs                     {_readable(stack.settings.log_dir)}/",
        "Press Ctrl-C to stop everything (or send SIGTERM to this process).",
        "",
    ]
    print("\n".join(lines), flush=True)


def _readable(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _report_failure(error: StartupError) -> None:
    say(f"FAILED: {error.part}: {error.reason}")
    if error.log is not None and error.log.exists():
        say(f"last lines of {_readable(error.log)}:")
        print(tail(error.log.read_text(errors="replace")), flush=True)
