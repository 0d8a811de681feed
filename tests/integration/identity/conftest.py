"""Services talking to each other for real: auth as a uvicorn process, todos in-process.

auth runs as its own process on a loopback port, exactly as `make run` starts it, so a
todos app configured with auth's JWKS URL fetches the keys over real HTTP.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import SQLModel

from auth.core.config import AuthSettings
from todo_common.embedded_postgres import EmbeddedPostgres, free_port
from todo_common.settings import CommonSettings
from todo_common.testing.harness import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    TEST_JWT_SECRET,
    service_settings_values,
    truncate_tables,
)
from todos.core.config import TodosSettings

ROOT = Path(__file__).resolve().parents[3]
UVICORN = Path(sys.executable).parent / "uvicorn"


def migrate(service: str, settings: CommonSettings) -> None:
    config = Config(str(ROOT / "services" / service / "alembic.ini"))
    config.attributes["settings"] = settings
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def database_urls(service_database_urls: dict[str, str]) -> dict[str, str]:
    """Each service's URL, its schema migrated."""
    migrate("auth", AuthSettings(_env_file=None, **auth_values(service_database_urls)))
    migrate("todos", todos_settings(service_database_urls))
    return service_database_urls


def auth_values(database_urls: dict[str, str]) -> dict[str, Any]:
    return {
        **service_settings_values(database_urls["auth"], "auth"),
        "password_hash_memory_kib": 1024,
        "password_hash_time_cost": 1,
    }


def todos_settings(database_urls: dict[str, str], **overrides: Any) -> TodosSettings:
    values = {**service_settings_values(database_urls["todos"], "todos"), **overrides}
    return TodosSettings(_env_file=None, **values)


@dataclass
class AuthProcess:
    base_url: str
    process: "subprocess.Popen[bytes]"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/api/v1/auth/.well-known/jwks.json"


@contextmanager
def running_auth(database_url: str, log_path: Path, **environment: str) -> Iterator[AuthProcess]:
    """auth under uvicorn on a free port until the block ends; then stopped by its PID."""
    port = free_port()
    env = {
        # Only what the process needs: nothing of the developer's shell or .env leaks in.
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/"),
        "DATABASE_URL": database_url,
        "JWT_ISSUER": TEST_ISSUER,
        "JWT_AUDIENCE": TEST_AUDIENCE,
        "PASSWORD_HASH_MEMORY_KIB": "1024",
        "PASSWORD_HASH_TIME_COST": "1",
        "LOG_LEVEL": "WARNING",
        **environment,
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(UVICORN),
                "--factory",
                "auth.main:build_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            env=env,
            cwd=log_path.parent,  # no .env there
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            auth = AuthProcess(base_url=f"http://127.0.0.1:{port}", process=process)
            _wait_until_ready(auth, log_path)
            yield auth
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(auth: AuthProcess, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if auth.process.poll() is not None:
            raise RuntimeError(f"auth exited early:\n{log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{auth.base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"auth was not ready in {timeout} s:\n{log_path.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def hs256_auth(
    database_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AuthProcess]:
    log = tmp_path_factory.mktemp("auth-hs256") / "auth.log"
    with running_auth(
        database_urls["auth"], log, JWT_ALGORITHMS="HS256", JWT_SECRET=TEST_JWT_SECRET
    ) as auth:
        yield auth


@pytest.fixture(scope="module")
def rs256_auth(
    database_urls: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    rsa_private_pem: str,
) -> Iterator[AuthProcess]:
    log = tmp_path_factory.mktemp("auth-rs256") / "auth.log"
    with running_auth(
        database_urls["auth"],
        log,
        JWT_ALGORITHMS="RS256",
        JWT_PRIVATE_KEY=rsa_private_pem,
        JWT_KEY_ID="integration-key",
    ) as auth:
        yield auth


@pytest.fixture(scope="session")
def rsa_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "database_urls" in request.fixturenames:
        postgres: EmbeddedPostgres = request.getfixturevalue("postgres")
        truncate_tables(postgres, SQLModel.metadata, "auth")
