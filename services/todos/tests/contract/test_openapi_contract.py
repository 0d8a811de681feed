"""The todos service holds to its own OpenAPI document (todo_common.testing.contract)."""

import uuid

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.generation import GenerationMode

from todo_common.testing.contract import check_contract, contract_cases, openapi_document
from todo_common.testing.harness import TokenFactory
from todos.core.config import TodosSettings
from todos.main import build_app

# Read at collection time (building the app touches no database), so each operation is
# reported as its own test.
_DOCUMENT = openapi_document(build_app, TodosSettings)


@pytest.fixture(scope="module")
def todos_openapi(client: TestClient) -> schemathesis.BaseSchema:
    # The session TestClient has run the app's lifespan; schemathesis calls the same app.
    return schemathesis.openapi.from_asgi("/api/v1/todos/openapi.json", client.app)


@pytest.mark.parametrize(("method", "path", "mode"), contract_cases(_DOCUMENT))
def test_operation_honours_the_contract(
    todos_openapi: schemathesis.BaseSchema,
    make_token: TokenFactory,
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    headers = {"Authorization": f"Bearer {make_token()}"}

    def prepare(case: schemathesis.Case, mode: GenerationMode) -> dict[str, str]:
        if mode is GenerationMode.POSITIVE:
            _make_server_issued_values_valid(case)
        return headers

    check_contract(todos_openapi, method, path, mode, prepare)


def _make_server_issued_values_valid(case: schemathesis.Case) -> None:
    # A cursor is opaque and valid only when the server issued it, and an Idempotency-Key
    # reused with another body is rightly refused: generated values of either would make
    # valid requests fail for reasons the schema cannot express. test_pagination and
    # test_idempotency cover both with real values. Likewise a due range must not be empty
    # (due_after before due_before), a rule across two parameters; test_todos covers it.
    if case.query:
        case.query.pop("cursor", None)
        if "due_after" in case.query and "due_before" in case.query:
            case.query.pop("due_before")
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
