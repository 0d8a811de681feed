"""Pytest fixtures every service's tests use: one throwaway PostgreSQL cluster per run."""

import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from todo_common.embedded_postgres import EmbeddedPostgres
from todo_common.platform import SERVICES
from todo_common.ports import free_port
from todo_common.security.tokens import mint_token
from todo_common.testing.harness import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    TEST_JWT_SECRET,
    TokenFactory,
)

# Registered before any suite imports them, so their failures show the values compared.
# Each service keeps its test helpers in tests/fixtures.py; they assert on responses too.
# (A suite whose conftest imported its helpers before loading this plugin keeps them as
# they are: rewriting an imported module is impossible, and pytest would warn.)
pytest.register_assert_rewrite(
    *(
        module
        for module in (
            "todo_common.testing.assertions",
            "todo_common.testing.api",
            "tests.fixtures",
        )
        if module not in sys.modules
    )
)


@pytest.fixture(scope="session")
def postgres() -> Iterator[EmbeddedPostgres]:
    """A real PostgreSQL server for this test run, deleted afterwards.

    Its folder is not under pytest's temp root: pytest deletes all but the newest three
    runs' folders there, so another pytest run on the machine (another checkout's suite)
    could remove the cluster's files while it runs.
    """
    folder = Path(tempfile.mkdtemp(prefix="todo-test-postgres-"))
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
    return postgres.ensure_service_databases(list(SERVICES))


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
