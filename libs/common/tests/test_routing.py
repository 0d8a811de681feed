"""What the routes declare, answered truthfully: 405 `Allow`, 415 for foreign bodies, bare 204s."""

from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Form
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tests.fixtures import API_PREFIX, make_client
from todo_common.problem import PROBLEM_MEDIA_TYPE


class Widget(BaseModel):
    name: str


router = APIRouter()


@router.get("/widgets")
def list_widgets(after: str | None = None) -> list[Widget]:
    return []


@router.post("/widgets", status_code=201)
def create_widget(data: Widget) -> Widget:
    return data


@router.get("/widgets/mine")
def my_widgets() -> list[Widget]:
    return []


@router.get("/widgets/{widget_id}")
def get_widget(widget_id: int) -> Widget:
    return Widget(name=str(widget_id))


@router.put("/widgets/{widget_id}")
def replace_widget(widget_id: int, data: Widget) -> Widget:
    return data


@router.delete("/widgets/{widget_id}", status_code=204)
def delete_widget(widget_id: int) -> None:
    return None


@router.post("/tokens")
def form_login(username: Annotated[str, Form()]) -> dict[str, str]:
    return {"username": username}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_client(router) as test_client:
        yield test_client


def allow(response: Any) -> list[str]:
    return sorted(method.strip() for method in response.headers["allow"].split(","))


class TestMethodNotAllowed:
    def test_allow_names_every_method_of_the_path(self, client: TestClient) -> None:
        response = client.options(f"{API_PREFIX}/widgets")

        assert response.status_code == 405
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert allow(response) == ["GET", "POST"]
        assert "GET, POST" in response.json()["detail"]

    def test_a_fixed_path_is_its_own_resource(self, client: TestClient) -> None:
        # /widgets/mine also matches /widgets/{widget_id}, whose PUT and DELETE it lacks.
        assert allow(client.patch(f"{API_PREFIX}/widgets/mine")) == ["GET"]
        assert allow(client.patch(f"{API_PREFIX}/widgets/7")) == ["DELETE", "GET", "PUT"]


class TestBodyMediaType:
    @pytest.mark.parametrize(
        ("content_type", "body"),
        [
            ("text/plain", "name=x"),
            ("application/x-www-form-urlencoded", "name=x"),
            ("application/xml", "<widget><name>x</name></widget>"),
        ],
    )
    def test_a_json_operation_refuses_other_bodies_with_415(
        self, client: TestClient, content_type: str, body: str
    ) -> None:
        response = client.post(
            f"{API_PREFIX}/widgets", content=body, headers={"Content-Type": content_type}
        )

        assert response.status_code == 415
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert "application/json" in response.json()["detail"]
        assert response.headers["x-request-id"]

    @pytest.mark.parametrize(
        "content_type",
        ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
    )
    def test_json_in_any_spelling_is_read(self, client: TestClient, content_type: str) -> None:
        response = client.post(
            f"{API_PREFIX}/widgets", content='{"name": "x"}', headers={"Content-Type": content_type}
        )

        assert response.status_code == 201

    def test_a_form_operation_refuses_json_with_415(self, client: TestClient) -> None:
        response = client.post(f"{API_PREFIX}/tokens", json={"username": "ada"})

        assert response.status_code == 415
        assert "application/x-www-form-urlencoded" in response.json()["detail"]
        assert client.post(f"{API_PREFIX}/tokens", data={"username": "ada"}).status_code == 200

    def test_a_missing_body_is_left_to_validation(self, client: TestClient) -> None:
        assert client.post(f"{API_PREFIX}/widgets").status_code == 422


class TestDocument:
    def test_body_operations_document_415(self, client: TestClient) -> None:
        document = client.get(f"{API_PREFIX}/openapi.json").json()
        create = document["paths"][f"{API_PREFIX}/widgets"]["post"]

        assert create["responses"]["415"]["content"] == {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
        assert "415" not in document["paths"][f"{API_PREFIX}/widgets"]["get"]["responses"]

    def test_probes_are_served_but_not_published(self, client: TestClient) -> None:
        # The gateway never routes /healthz and /readyz: a generated client must not see them.
        document = client.get(f"{API_PREFIX}/openapi.json").json()

        assert not [path for path in document["paths"] if not path.startswith(API_PREFIX)]
        assert client.get("/healthz").status_code == 200

    def test_retry_after_is_documented_where_it_is_sent(self, client: TestClient) -> None:
        document = client.get(f"{API_PREFIX}/openapi.json").json()

        for path_item in document["paths"].values():
            for operation in path_item.values():
                unavailable = operation["responses"]["503"]
                assert unavailable["headers"]["Retry-After"]["required"] is True

    def test_optional_parameters_are_never_null(self, client: TestClient) -> None:
        # A query string or header has no null; `anyOf: [.., null]` reads as the text "null".
        document = client.get(f"{API_PREFIX}/openapi.json").json()
        schemas = [
            parameter["schema"]
            for path_item in document["paths"].values()
            for operation in path_item.values()
            for parameter in operation.get("parameters", [])
        ]

        assert schemas
        assert all("anyOf" not in schema for schema in schemas)

    def test_operation_ids_are_the_handlers_names(self, client: TestClient) -> None:
        document = client.get(f"{API_PREFIX}/openapi.json").json()

        assert document["paths"][f"{API_PREFIX}/widgets"]["post"]["operationId"] == "create_widget"


def test_a_204_carries_no_content_type(client: TestClient) -> None:
    response = client.delete(f"{API_PREFIX}/widgets/7")

    assert response.status_code == 204
    assert "content-type" not in response.headers
    assert response.content == b""
