"""`X-Request-ID` on every answer of the todos API: the client's when sane, ours otherwise."""

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.fixtures import TODOS, ApiUser, todo_path
from todo_common.testing.assertions import assert_problem

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
MISSING_ID = "00000000-0000-4000-8000-000000000000"

INSANE_IDS = [
    pytest.param(b"x" * 300, id="300 characters"),
    pytest.param(b"x" * 129, id="129 characters"),
    pytest.param(b"has spaces in it", id="spaces"),
    pytest.param(b"line\tbreak", id="tab"),
    pytest.param(b"<script>", id="markup"),
    pytest.param(b'quote"d', id="quote"),
    pytest.param("caf\u00e9".encode(), id="non-ascii"),
    pytest.param(b"", id="empty"),
]


def get_with_request_id(user: ApiUser, path: str, request_id: bytes) -> httpx.Response:
    headers = [(b"Authorization", f"Bearer {user.token}".encode()), (b"X-Request-ID", request_id)]
    return user.client.get(path, headers=headers)


class TestRequestId:
    @pytest.mark.parametrize(
        "request_id", ["abc-123", "7f9c2ba4e88f827d616045507605853e", "trace:span.1_2", "x" * 128]
    )
    def test_sane_client_id_is_echoed(self, alice: ApiUser, request_id: str) -> None:
        response = alice.request("GET", TODOS, headers={"X-Request-ID": request_id})

        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == request_id

    @pytest.mark.parametrize("request_id", INSANE_IDS)
    def test_insane_client_id_is_replaced(self, alice: ApiUser, request_id: bytes) -> None:
        response = get_with_request_id(alice, TODOS, request_id)

        assert response.status_code == 200
        assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])

    def test_an_id_is_generated_when_none_is_sent(self, alice: ApiUser) -> None:
        first = alice.request("GET", TODOS)
        second = alice.request("GET", TODOS)

        assert GENERATED_ID.fullmatch(first.headers["X-Request-ID"])
        assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]

    @pytest.mark.parametrize(
        ("method", "path", "status"),
        [
            ("GET", todo_path(MISSING_ID), 404),
            ("GET", todo_path("not-a-uuid"), 422),
            ("GET", f"{TODOS}?limit=0", 422),
            ("DELETE", TODOS, 405),
            ("GET", "/api/v1/nowhere", 404),
        ],
    )
    def test_errors_carry_the_client_id_in_header_and_body(
        self, alice: ApiUser, method: str, path: str, status: int
    ) -> None:
        response = alice.request(method, path, headers={"X-Request-ID": "client-chosen-1"})

        body = assert_problem(response, status)
        assert response.headers["X-Request-ID"] == "client-chosen-1"
        assert body["request_id"] == "client-chosen-1"

    def test_unauthenticated_error_carries_the_client_id(self, client: TestClient) -> None:
        response = client.get(TODOS, headers={"X-Request-ID": "client-chosen-2"})

        body = assert_problem(response, 401)
        assert body["request_id"] == response.headers["X-Request-ID"] == "client-chosen-2"

    @pytest.mark.parametrize("request_id", INSANE_IDS)
    def test_errors_carry_the_replacement_id_in_header_and_body(
        self, alice: ApiUser, request_id: bytes
    ) -> None:
        response = get_with_request_id(alice, todo_path(MISSING_ID), request_id)

        body = assert_problem(response, 404)
        assert GENERATED_ID.fullmatch(body["request_id"])
        assert body["request_id"] == response.headers["X-Request-ID"]

    def test_successful_write_carries_the_client_id(self, alice: ApiUser) -> None:
        response = alice.request(
            "POST", TODOS, json={"title": "Buy milk"}, headers={"X-Request-ID": "create-1"}
        )

        assert response.status_code == 201
        assert response.headers["X-Request-ID"] == "create-1"
