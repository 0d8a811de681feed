"""The auth service holds to its own OpenAPI document (todo_common.testing.contract)."""

import uuid

import pytest
import schemathesis
from fastapi.testclient import TestClient
from pydantic import validate_email
from pydantic_core import PydanticCustomError
from schemathesis.generation import GenerationMode

from auth.core.config import AuthSettings
from auth.main import build_app
from tests.conftest import SERVICE_CLIENT_SECRETS
from tests.fixtures import bearer, new_user
from todo_common.testing.contract import check_contract, contract_cases, openapi_document

# The operations are read from the document at collection time (building the app touches no
# database), so each one is reported as its own test.
_DOCUMENT = openapi_document(
    build_app, AuthSettings, password_hash_memory_kib=1024, password_hash_time_cost=1
)


@pytest.fixture(scope="module")
def auth_openapi(client: TestClient) -> schemathesis.BaseSchema:
    # The session TestClient has run the app's lifespan; schemathesis calls the same app.
    return schemathesis.openapi.from_asgi("/api/v1/auth/openapi.json", client.app)


@pytest.mark.parametrize(
    ("method", "path", "mode"), contract_cases(_DOCUMENT, prefixes=("/api/", "/internal/"))
)
def test_operation_honours_the_contract(
    auth_openapi: schemathesis.BaseSchema,
    client: TestClient,
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    def prepare(case: schemathesis.Case, mode: GenerationMode) -> dict[str, str]:
        if mode is GenerationMode.POSITIVE:
            return _make_server_issued_values_valid(case, client)
        return {}

    check_contract(auth_openapi, method, path, mode, prepare)


def _make_server_issued_values_valid(case: schemathesis.Case, client: TestClient) -> dict[str, str]:
    """Swap generated values the server must have issued for real ones; the headers to send.

    A refresh token, an access token and a current password are valid only when the server
    made them, and a service's client secret only when configured: generated ones would make
    every valid request fail for reasons the schema cannot express, and the success paths
    would go untested. The api/ tests cover each of them with wrong values. Likewise an email
    the `email` format allows but no mail can reach (`x@y.test`, `"quoted"@host`, `a@[::1]`)
    is refused, by a rule JSON Schema cannot state.
    """
    body = case.body if isinstance(case.body, dict) else None
    if case.path.endswith("/register") and body is not None and not _is_deliverable(body):
        body["email"] = f"{uuid.uuid4().hex}@example.com"
    if case.path.endswith(("/refresh", "/logout")) and body is not None:
        body["refresh_token"] = new_user(client).tokens()["refresh_token"]
    if case.path.endswith("/password") and body is not None:
        user = new_user(client)
        body["current_password"] = user.password
        return bearer(user.tokens()["access_token"])
    if case.path.endswith("/service-tokens") and body is not None:
        [(client_id, secret)] = SERVICE_CLIENT_SECRETS.items()
        body.update(client_id=client_id, client_secret=secret, audience="todos")
    return {}


def _is_deliverable(body: dict[str, object]) -> bool:
    try:
        validate_email(str(body.get("email")))
    except PydanticCustomError:
        return False
    return True
