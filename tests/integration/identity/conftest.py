"""Services talking to each other for real: auth as a uvicorn process, todos in-process.

auth runs as its own process on a loopback port, exactly as `make run` starts it, so a
todos app configured with auth's JWKS URL fetches the keys over real HTTP.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import SQLModel

from auth.core.config import AuthSettings
from tests.integration.processes import ServiceProcess
from todo_common.embedded_postgres import EmbeddedPostgres
from todo_common.testing.harness import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    TEST_JWT_SECRET,
    migrate,
    service_settings_values,
    truncate_tables,
)
from todos.core.config import TodosSettings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def database_urls(service_database_urls: dict[str, str]) -> dict[str, str]:
    """Each service's URL, its schema migrated."""
    migrate(
        ROOT / "services" / "auth",
        AuthSettings(_env_file=None, **auth_values(service_database_urls)),
    )
    migrate(ROOT / "services" / "todos", todos_settings(service_database_urls))
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

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/api/v1/auth/.well-known/jwks.json"


@contextmanager
def running_auth(database_url: str, log_dir: Path, **environment: str) -> Iterator[AuthProcess]:
    """auth under uvicorn on a free port until the block ends; then stopped by its PID."""
    auth = ServiceProcess(
        "auth",
        database_url,
        {
            # Only what the process needs: nothing of the developer's shell or .env leaks in.
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/"),
            "JWT_ISSUER": TEST_ISSUER,
            "JWT_AUDIENCE": TEST_AUDIENCE,
            "PASSWORD_HASH_MEMORY_KIB": "1024",
            "PASSWORD_HASH_TIME_COST": "1",
            "LOG_LEVEL": "WARNING",
            **environment,
        },
        log_dir,
    )
    auth.start()
    try:
        yield AuthProcess(base_url=auth.url)
    finally:
        auth.stop()


@pytest.fixture(scope="module")
def hs256_auth(
    database_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AuthProcess]:
    log_dir = tmp_path_factory.mktemp("auth-hs256")
    with running_auth(
        database_urls["auth"], log_dir, JWT_ALGORITHMS="HS256", JWT_SECRET=TEST_JWT_SECRET
    ) as auth:
        yield auth


@pytest.fixture(scope="module")
def rs256_auth(
    database_urls: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    rsa_private_pem: str,
) -> Iterator[AuthProcess]:
    log_dir = tmp_path_factory.mktemp("auth-rs256")
    with running_auth(
        database_urls["auth"],
        log_dir,
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
