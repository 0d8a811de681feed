"""Pytest fixtures every service's tests use: one throwaway PostgreSQL cluster per run."""

import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from todo_common.embedded_postgres import EmbeddedPostgres, free_port
from todo_common.security.tokens import mint_token
from todo_common.testing.harness import (
    SERVICES,
    TEST_AUDIENCE,
    TEST_ISSUER,
    TEST_JWT_SECRET,
    TokenFactory,
)


@pytest.fixture(scope="session")
def postgres() -> Iterator[EmbeddedPostgres]:
    """A real PostgreSQL server for this test run, deleted at its end."""
    # Not under pytest's tmp_path: as root the server runs as another account, which must
    # traverse the path to its data, and every new pytest session on the machine re-chmods
    # the shared /tmp/pytest-of-<user> to 0700, locking that account out mid-run.
    folder = Path(tempfile.mkdtemp(prefix="todo-postgres-"))
    cluster = EmbeddedPostgres(folder / "data", free_port())
    try:
        cluster.start()
        yield cluster
    finally:
        if cluster.is_running():
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def service_database_urls(postgres: EmbeddedPostgres) -> dict[str, str]:
    """Each service's own role and schema, as on Neon: service name -> connection URL."""
    return postgres.ensure_service_databases(SERVICES)


@pytest.fixture(scope="session")
def make_token() -> TokenFactory:
    """Mint an HS256 token the services under test accept; override any claim to break it."""

    def factory(
        user_id: uuid.UUID | str | None = None,
        *,
        role: str = "user",
        email: str | None = "someone@example.com",
        lifetime: timedelta = timedelta(minutes=15),
        secret: str = TEST_JWT_SECRET,
        algorithm: str = "HS256",
        issuer: str = TEST_ISSUER,
        audience: str = TEST_AUDIENCE,
        **extra_claims: Any,
    ) -> str:
        return mint_token(
            subject=str(user_id or uuid.uuid4()),
            role=role,
            email=email,
            issuer=issuer,
            audience=audience,
            signing_key=secret,
            algorithm=algorithm,
            lifetime=lifetime,
            extra_claims=extra_claims,
        )

    return factory


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    # `create_app` points the root logger at the stdout of the moment, which may be a
    # capture stream that closes with the test; later tests must not inherit it.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
