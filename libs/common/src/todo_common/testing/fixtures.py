"""Pytest fixtures every service's tests use: one throwaway PostgreSQL cluster per run."""

import logging
import uuid
from collections.abc import Iterator
from datetime import timedelta
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
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A real PostgreSQL server for this test run, deleted with the run's temp folder."""
    cluster = EmbeddedPostgres(tmp_path_factory.mktemp("postgres") / "data", free_port())
    cluster.start()
    yield cluster
    if cluster.is_running():
        cluster.stop()


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
