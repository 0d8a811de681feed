"""Schemathesis contract checks every service runs against its own OpenAPI document.

For each operation, generated requests (GenerationMode.POSITIVE: what the schema allows;
NEGATIVE: what it forbids) go to the app, and every answer is checked: no 5xx, documented
status codes and content types, bodies matching their schemas, invalid input rejected.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from todo_common.settings import CommonSettings

# Swaps values only the server can issue (cursors, tokens, idempotency keys) into a generated
# valid request, and returns the headers to send with it.
PrepareCase = Callable[[schemathesis.Case[Any], GenerationMode], dict[str, str]]

SettingsT = TypeVar("SettingsT", bound=CommonSettings)


def openapi_document(
    build_app: Callable[[SettingsT], FastAPI], settings_class: type[SettingsT], **values: Any
) -> dict[str, Any]:
    """A service's OpenAPI document, built in-process without a database (none is reached).

    `values` add to or override the settings, e.g. a service's own required ones.
    """
    settings = settings_class(
        _env_file=None,
        **{
            "database_url": "postgresql://unused@127.0.0.1:9/unused",
            "jwt_secret": "collection-only-secret-0123456789abcdef",
            **values,
        },
    )
    return build_app(settings).openapi()


def contract_cases(document: dict[str, Any], prefixes: Sequence[str] = ("/api/",)) -> list[Any]:
    """One pytest param per (method, path, mode) of `document` under `prefixes`.

    An operation that takes no input has no invalid input to send, so it gets only the
    positive mode.
    """
    return [
        pytest.param(method.upper(), path, mode, id=f"{method.upper()}-{path}-{mode.value}")
        for path, item in document["paths"].items()
        if path.startswith(tuple(prefixes))
        for method, operation in item.items()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if mode is GenerationMode.POSITIVE
        or operation.get("parameters")
        or operation.get("requestBody")
    ]


def check_contract(
    schema: schemathesis.BaseSchema,
    method: str,
    path: str,
    mode: GenerationMode,
    prepare: PrepareCase,
    *,
    max_examples: int = 40,
) -> None:
    """Send `max_examples` generated requests to one operation and validate each answer."""
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode), _=st.just(None))
    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: schemathesis.Case[Any], _: None) -> None:
        case.call_and_validate(headers=prepare(case, mode))

    check()
