"""The users service holds to its own OpenAPI document, for generated valid and invalid input.

Schemathesis generates requests from the document (GenerationMode.POSITIVE: what the schema
allows; NEGATIVE: what it forbids) and checks every answer: no 5xx, documented status
codes and content types, bodies matching their schemas, invalid input rejected. Each
operation is called as a user and as an admin, since the two take different paths.
"""

import uuid

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from todo_common.testing.harness import TokenFactory
from users.core.config import UsersSettings
from users.main import build_app

# The operations are read from the document at collection time (building the app touches no
# database), so each one is reported as its own test.
_DOCUMENT = build_app(
    UsersSettings(
        _env_file=None,
        database_url="postgresql://unused@127.0.0.1:9/unused",
        jwt_secret="collection-only-secret-0123456789abcdef",
    )
).openapi()
OPERATIONS = [
    (method.upper(), path, bool(operation.get("parameters") or operation.get("requestBody")))
    for path, item in _DOCUMENT["paths"].items()
    for method, operation in item.items()
    if path.startswith("/api/")
]
# An operation without inputs (GET /me) has nothing to make invalid.
CASES = [
    pytest.param(method, path, mode, id=f"{method}-{path}-{mode.value}")
    for method, path, has_inputs in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if has_inputs or mode is GenerationMode.POSITIVE
]


@pytest.fixture(scope="module")
def users_openapi(client: TestClient) -> schemathesis.BaseSchema:
    # The session TestClient has run the app's lifespan; schemathesis calls the same app.
    return schemathesis.openapi.from_asgi("/api/v1/users/openapi.json", client.app)


@pytest.mark.parametrize("role", ["user", "admin"])
@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_operation_honours_the_contract(
    users_openapi: schemathesis.BaseSchema,
    make_token: TokenFactory,
    method: str,
    path: str,
    mode: GenerationMode,
    role: str,
) -> None:
    operation = users_openapi[path][method]

    @given(case=operation.as_strategy(generation_mode=mode), _=st.just(None))
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: schemathesis.Case, _: None) -> None:
        if mode is GenerationMode.POSITIVE and case.query:
            # A cursor is opaque and valid only when the server issued it; test_users
            # covers paging with real ones.
            case.query.pop("cursor", None)
        # A fresh caller per example: one example deleting its account must not turn the
        # next one's answers into 401s.
        token = make_token(uuid.uuid4(), role=role, email=f"{uuid.uuid4().hex[:8]}@example.com")
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

    check()
