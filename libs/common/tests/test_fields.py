import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from tests.fixtures import API_PREFIX, make_client
from todo_common.fields import (
    _SPACE_CHARS,
    NON_BLANK_TEXT_PATTERN,
    StorableText,
    UtcDatetime,
    trimmed_text_schema,
)


class Note(BaseModel):
    title: Annotated[str, StorableText] = "untitled"
    due_at: UtcDatetime | None = None


router = APIRouter()


@router.post("/notes")
def echo_note(note: Note) -> Note:
    return note


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_client(router) as test_client:
        yield test_client


def error_of(**fields: object) -> str:
    with pytest.raises(ValidationError) as invalid:
        Note.model_validate(fields)
    [error] = invalid.value.errors()
    return str(error["msg"])


class TestStorableText:
    @pytest.mark.parametrize("title", ["Buy milk", "ünïcode ✓ 🥛", "", "tab\tand\nnewline"])
    def test_accepts_text_postgresql_can_store(self, title: str) -> None:
        assert Note(title=title).title == title

    def test_rejects_nul(self) -> None:
        assert "NUL" in error_of(title="milk\x00honey")

    @pytest.mark.parametrize(
        "surrogate", [chr(0xD800), chr(0xDFFF), f"a{chr(0xDC80)}b"], ids=["high", "low", "inside"]
    )
    def test_rejects_lone_surrogates(self, surrogate: str) -> None:
        assert "valid Unicode" in error_of(title=surrogate)

    @pytest.mark.parametrize("raw", [b'{"title": "a\\u0000b"}', b'{"title": "a\\ud800b"}'])
    def test_json_escapes_of_either_are_422_not_500(self, client: TestClient, raw: bytes) -> None:
        response = client.post(
            f"{API_PREFIX}/notes", content=raw, headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "title"]


class TestUtcDatetime:
    def test_converts_offsets_to_utc(self) -> None:
        due_at = Note.model_validate({"due_at": "2024-05-01T12:00:00+02:00"}).due_at

        assert due_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
        assert due_at is not None
        assert due_at.utcoffset() == timedelta(0)
        assert due_at.tzinfo is UTC

    def test_keeps_utc_as_is(self) -> None:
        assert Note.model_validate({"due_at": "2024-05-01T10:00:00Z"}).due_at == datetime(
            2024, 5, 1, 10, tzinfo=UTC
        )

    @pytest.mark.parametrize("naive", ["2024-05-01T12:00:00", datetime(2024, 5, 1, 12)])
    def test_rejects_naive_datetimes(self, naive: object) -> None:
        with pytest.raises(ValidationError) as invalid:
            Note.model_validate({"due_at": naive})

        assert invalid.value.errors()[0]["type"] == "timezone_aware"

    @pytest.mark.parametrize("timestamp", [1714550400, 1714550400.5, "1714550400", "May 1 2024"])
    def test_rejects_anything_but_rfc_3339_text(self, timestamp: object) -> None:
        assert "RFC 3339" in error_of(due_at=timestamp)

    @pytest.mark.parametrize("edge", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
    def test_rejects_instants_outside_the_supported_range(self, edge: str) -> None:
        assert "out of the supported date range" in error_of(due_at=edge)

    def test_answers_in_utc(self, client: TestClient) -> None:
        response = client.post(f"{API_PREFIX}/notes", json={"due_at": "2024-05-01T12:00:00-05:00"})

        assert response.status_code == 200
        assert response.json()["due_at"] == "2024-05-01T17:00:00Z"

    def test_naive_datetime_in_a_request_is_422(self, client: TestClient) -> None:
        response = client.post(f"{API_PREFIX}/notes", json={"due_at": "2024-05-01T12:00:00"})

        assert response.status_code == 422
        assert response.json()["errors"][0]["type"] == "timezone_aware"


def test_the_published_patterns_trim_what_python_trims() -> None:
    # JSON Schema's `\s` is ECMA-262's, not Python's: U+0085 alone is blank to the service
    # (str.strip removes it), so the published pattern must call it blank too.
    stripped = {chr(code) for code in range(0x110000) if chr(code).strip() == ""}
    matched = {c for c in map(chr, range(0x110000)) if re.fullmatch(f"[{_SPACE_CHARS}]", c)}
    assert matched == stripped
    title_pattern = trimmed_text_schema(200).json_schema["pattern"]
    for blank in ("\x85", "\n\x85\t", "\x1c"):
        assert not re.match(title_pattern, blank)
        assert not re.match(NON_BLANK_TEXT_PATTERN, blank)
    assert re.match(title_pattern, " \x85a\x85 ")
