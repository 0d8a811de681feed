import base64
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Query
from fastapi.testclient import TestClient

from tests.fixtures import API_PREFIX, make_client
from todo_common.errors import UnprocessableContent
from todo_common.pagination import (
    DEFAULT_PAGE_SIZE,
    Page,
    PageQuery,
    decode_cursor,
    encode_cursor,
)
from todo_common.problem import PROBLEM_MEDIA_TYPE


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MALFORMED_CURSORS = {
    "not-base64": "!!!***",
    "empty": "",
    "not-json": b64(b"created_at=yesterday"),
    "json-list": b64(b'["2024-01-01", 5]'),
    "json-number": b64(b"42"),
    "json-null": b64(b"null"),
    "not-utf8": b64(b"\xff\xfe{}"),
    "truncated": encode_cursor({"id": 7})[:-3],
}

router = APIRouter()


@router.get("/items")
def list_items(query: Annotated[PageQuery, Query()]) -> Page[int]:
    start = decode_cursor(query.cursor)["after"] if query.cursor else 0
    items = list(range(start + 1, start + query.limit + 1))
    return Page(items=items, next_cursor=encode_cursor({"after": items[-1]}))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_client(router) as test_client:
        yield test_client


class TestCursors:
    def test_round_trip_keeps_the_position(self) -> None:
        position = {"created_at": "2024-05-01T10:00:00+00:00", "id": str(uuid.uuid4()), "n": 3}

        assert decode_cursor(encode_cursor(position)) == position

    def test_datetimes_and_uuids_come_back_as_text(self) -> None:
        moment = datetime(2024, 5, 1, 10, tzinfo=UTC)
        identifier = uuid.uuid4()

        decoded = decode_cursor(encode_cursor({"at": moment, "id": identifier}))

        assert decoded == {"at": str(moment), "id": str(identifier)}

    def test_cursor_is_url_safe_and_unpadded(self) -> None:
        cursor = encode_cursor({"title": "??>>~~ ünïcode", "id": 10**20})

        assert set(cursor) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )

    @pytest.mark.parametrize("cursor", MALFORMED_CURSORS.values(), ids=MALFORMED_CURSORS.keys())
    def test_malformed_cursor_is_unprocessable(self, cursor: str) -> None:
        with pytest.raises(UnprocessableContent) as rejected:
            decode_cursor(cursor)

        assert rejected.value.status_code == 422
        assert rejected.value.errors == [
            {
                "loc": ["query", "cursor"],
                "msg": "Cursor is malformed or belongs to another query",
                "type": "cursor_invalid",
            }
        ]


class TestPagedEndpoint:
    def test_pages_follow_each_other(self, client: TestClient) -> None:
        first = client.get(f"{API_PREFIX}/items", params={"limit": 2}).json()
        second = client.get(
            f"{API_PREFIX}/items", params={"limit": 2, "cursor": first["next_cursor"]}
        ).json()

        assert first["items"] == [1, 2]
        assert second["items"] == [3, 4]

    def test_limit_defaults_to_twenty(self, client: TestClient) -> None:
        assert len(client.get(f"{API_PREFIX}/items").json()["items"]) == DEFAULT_PAGE_SIZE

    @pytest.mark.parametrize("limit", [0, 101, -1, "many"])
    def test_limit_outside_1_to_100_is_422(self, client: TestClient, limit: Any) -> None:
        response = client.get(f"{API_PREFIX}/items", params={"limit": limit})

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "limit"]

    @pytest.mark.parametrize("cursor", ["garbage_cursor", b64(b"[1]"), b64(b"{")])
    def test_malformed_cursor_is_422_problem(self, client: TestClient, cursor: str) -> None:
        response = client.get(f"{API_PREFIX}/items", params={"cursor": cursor})

        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        body = response.json()
        assert [error["loc"] for error in body["errors"]] == [["query", "cursor"]]
        assert body["detail"] == "query.cursor: Cursor is malformed or belongs to another query"

    def test_overlong_cursor_is_422(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/items", params={"cursor": "a" * 513})

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "cursor"]


def test_the_published_cursor_pattern_admits_every_cursor_made() -> None:
    # The document tells clients a cursor is unpadded base64url: what encode_cursor makes.
    pattern = PageQuery.model_json_schema()["properties"]["cursor"]["anyOf"][0]["pattern"]

    for position in ({"created_at": "2030-01-01T00:00:00+00:00", "id": "x"}, {"n": 1}, {}):
        assert re.fullmatch(pattern, encode_cursor(position))
