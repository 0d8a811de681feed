"""Keyset pagination: the page shape, the `limit`/`cursor` parameters, and opaque cursors."""

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field

from todo_common.errors import UnprocessableContent

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageQuery(BaseModel):
    """`limit` and `cursor`, the query parameters every list endpoint takes; extend it with
    the endpoint's filters and use it as `Annotated[XQuery, Query()]`."""

    limit: Annotated[
        int, Field(ge=1, le=MAX_PAGE_SIZE, description="How many items a page holds, 1 to 100.")
    ] = DEFAULT_PAGE_SIZE
    cursor: Annotated[
        str | None,
        Field(
            max_length=512, description="`next_cursor` of the previous page; omit for the first."
        ),
    ] = None


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None


def encode_cursor(position: dict[str, Any]) -> str:
    """Turn a position in a keyset ordering into an opaque, URL-safe token."""
    raw = json.dumps(position, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    """The position a cursor encodes, or 422 if it was not made by `encode_cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_cursor() from None
    if not isinstance(position, dict):
        raise invalid_cursor()
    return position


def cursor_datetime(value: object) -> datetime:
    """A timezone-aware timestamp read from a decoded cursor, in UTC, or 422.

    A cursor is client input: Python reads offsets up to ±23:59 and years 1 to 9999, while
    PostgreSQL refuses offsets beyond ±15:59 (a database error, a 500). Converting to UTC
    here means the database only ever sees a plain UTC timestamp.
    """
    if not isinstance(value, str):
        raise invalid_cursor()
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise invalid_cursor()
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid_cursor() from None


def invalid_cursor() -> UnprocessableContent:
    return UnprocessableContent.for_field(
        ["query", "cursor"], "Cursor is malformed or belongs to another query", "cursor_invalid"
    )
