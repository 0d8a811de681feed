import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tests.fixtures import API_PREFIX, make_client
from todo_common.errors import NotFound
from todo_common.fields import NON_BLANK_TEXT_PATTERN, PLAIN_TEXT_PATTERN
from todo_common.openapi import Problem
from todo_common.problem import PROBLEM_MEDIA_TYPE, problem_responses

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class WidgetCreate(BaseModel):
    name: str


router = APIRouter()


@router.post("/widgets", status_code=201, responses=problem_responses(409))
def create_widget(data: WidgetCreate) -> WidgetCreate:
    return data


@router.get("/widgets/{widget_id}", responses=problem_responses(404))
def get_widget(widget_id: int) -> WidgetCreate:
    raise NotFound(f"Widget {widget_id} not found")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_client(router) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    schema: dict[str, Any] = client.get(f"{API_PREFIX}/openapi.json").json()
    return schema


def error_responses(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, path_item in document["paths"].items():
        for method, operation in path_item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    yield f"{method.upper()} {path} {status}", response


class TestProblemOpenApi:
    def test_every_error_response_is_problem_json(self, document: dict[str, Any]) -> None:
        described = dict(error_responses(document))

        assert f"POST {API_PREFIX}/widgets 409" in described
        assert f"GET {API_PREFIX}/widgets/{{widget_id}} 422" in described
        for response in described.values():
            assert response["content"] == {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}

    def test_fastapis_validation_schemas_are_replaced(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]

        assert "Problem" in schemas
        assert "ValidationProblemItem" in schemas
        assert "HTTPValidationError" not in schemas
        assert "ValidationError" not in schemas
        assert "$defs" not in schemas["Problem"]

    def test_operations_with_a_body_document_400(self, document: dict[str, Any]) -> None:
        assert "400" in document["paths"][f"{API_PREFIX}/widgets"]["post"]["responses"]
        assert (
            "400"
            not in document["paths"][f"{API_PREFIX}/widgets/{{widget_id}}"]["get"]["responses"]
        )

    def test_document_is_built_once(self, client: TestClient) -> None:
        app = client.app

        assert app.openapi() is app.openapi()  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("GET", f"{API_PREFIX}/widgets/7", None),
            ("GET", f"{API_PREFIX}/widgets/seven", None),
            ("POST", f"{API_PREFIX}/widgets", {"nom": "x"}),
            ("GET", f"{API_PREFIX}/nowhere", None),
        ],
        ids=["domain-error", "path-validation", "body-validation", "unknown-route"],
    )
    def test_real_error_bodies_match_the_documented_schema(
        self, client: TestClient, method: str, path: str, body: dict[str, str] | None
    ) -> None:
        response = client.request(method, path, json=body)

        assert response.status_code >= 400
        Problem.model_validate(response.json(), strict=True)


class TestTextPatterns:
    @pytest.mark.parametrize("text", ["", " ", "Buy milk", "ünïcode ✓"])
    def test_plain_text_allows_anything_but_nul(self, text: str) -> None:
        assert re.fullmatch(PLAIN_TEXT_PATTERN, text)
        assert not re.fullmatch(PLAIN_TEXT_PATTERN, text + "\x00")

    @pytest.mark.parametrize("text", ["a", "  Buy milk  ", "\tx\n"])
    def test_non_blank_text_needs_a_visible_character(self, text: str) -> None:
        assert re.fullmatch(NON_BLANK_TEXT_PATTERN, text)

    @pytest.mark.parametrize(
        "text",
        ["", "   ", "\t\n", "a\x00", "\u200b\u202e", " \u2066\u200d ", "\u202eevil", "ok\u200b"],
    )
    def test_non_blank_text_refuses_blank_invisible_or_nul(self, text: str) -> None:
        assert not re.fullmatch(NON_BLANK_TEXT_PATTERN, text)
