"""Field types for request and response schemas, shared so every service validates alike."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema


def _storable(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded as UTF-8:
    # refusing both here turns what would be a driver error (a 500) into a clear 422.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


# Add to any `Annotated[str, ...]` that reaches the database.
StorableText = AfterValidator(_storable)


def trimmed_text_schema(max_length: int) -> WithJsonSchema:
    """The published schema of text that is trimmed, then 1 to `max_length` characters long.

    JSON Schema cannot trim, so `maxLength` would be a rule about what is sent, and the
    service, which counts after trimming, would break it both ways. A pattern states the
    real rule: optional surrounding whitespace around 1 to `max_length` characters that
    start and end with a visible one, no NUL anywhere.
    """
    middle = max_length - 2
    pattern = rf"^\s*[^\s\x00](?:[^\x00]{{0,{middle}}}[^\s\x00])?\s*$"
    return WithJsonSchema(
        {
            "type": "string",
            "pattern": pattern,
            "description": f"1 to {max_length} characters after trimming whitespace",
        }
    )


# The same rules in the published schema, so clients (and schemathesis) can see them:
# no NUL anywhere, and for required names and titles at least one visible character.
PLAIN_TEXT_PATTERN = r"^[^\x00]*$"
NON_BLANK_TEXT_PATTERN = r"^[^\x00]*[^\x00\s][^\x00]*$"


# What an RFC 3339 date-time starts with. Pydantic would also read a number, or a string of
# digits, as a Unix timestamp: no client means that, so it is refused before parsing.
_RFC3339_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]")


def _rfc3339_text(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339_DATE.match(value)):
        return value
    raise ValueError("must be an RFC 3339 date-time with a timezone, e.g. 2030-01-31T09:00:00Z")


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of the supported date range") from None


# docs/api.md: timestamps carry a timezone and are answered in UTC.
UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_to_utc)]


def _reject_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may not be null")
    return value


class _NotNull:
    """Marks `X | None` in a partial update: the field may be left out, never sent as null.

    Written `Annotated[X | None, NotNull] = None`. Unlike `X | SkipJsonSchema[None]` (a
    union, whose errors name each union member), errors name the field alone, and the
    published schema shows `X` without the null.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(_reject_null, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        options = [option for option in json_schema.get("anyOf", []) if option != {"type": "null"}]
        if len(options) == 1:
            rest = {key: value for key, value in json_schema.items() if key != "anyOf"}
            json_schema = rest | options[0]
        return json_schema


NotNull = _NotNull()


# docs/api.md: a person's name is 1 to 100 characters after trimming (auth's accounts, users'
# profiles).
PERSON_NAME_MAX_LENGTH = 100
PersonName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=PERSON_NAME_MAX_LENGTH,
        pattern=NON_BLANK_TEXT_PATTERN,
    ),
    trimmed_text_schema(PERSON_NAME_MAX_LENGTH),
    StorableText,
]
