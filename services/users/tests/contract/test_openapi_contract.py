"""The users service holds to its own OpenAPI document (todo_common.testing.contract).

Each operation is called as a user and as an admin, since the two take different paths.
"""

import uuid

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.generation import GenerationMode

from todo_common.testing.contract import check_contract, contract_cases, openapi_document
from todo_common.testing.harness import TokenFactory
from users.core.config import UsersSettings
from users.main import build_app

# Read at collection time (building the app touches no database), so each operation is
# reported as its own test.
_DOCUMENT = openapi_document(build_app, UsersSettings)


@pytest.fixture(scope="module")
def users_openapi(client: TestClient) -> schemathesis.BaseSchema:
    # The session TestClient has run the app's lifespan; schemathesis calls the same app.
    return schemathesis.openapi.from_asgi("/api/v1/users/openapi.json", client.app)


@pytest.mark.parametrize("role", ["user", "admin"])
@pytest.mark.parametrize(("method", "path", "mode"), contract_cases(_DOCUMENT))
def test_operation_honours_the_contract(
    users_openapi: schemathesis.BaseSchema,
    make_token: TokenFactory,
    method: str,
    path: str,
    mode: GenerationMode,
    role: str,
) -> None:
    def prepare(case: schemathesis.Case, mode: GenerationMode) -> dict[str, str]:
        if mode is GenerationMode.POSITIVE and case.query:
            # A cursor is opaque and valid only when the server issued it; test_users
            # covers paging with real ones.
            case.query.pop("cursor", None)
        # A fresh caller per example: one example deleting its account must not turn the
        # next one's answers into 401s.
        token = make_token(uuid.uuid4(), role=role, email=f"{uuid.uuid4().hex[:8]}@example.com")
        return {"Authorization": f"Bearer {token}"}

    check_contract(users_openapi, method, path, mode, prepare, max_examples=30)
