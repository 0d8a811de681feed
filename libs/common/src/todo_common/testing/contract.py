"""Schemathesis contract checks every service runs against its own OpenAPI document.

For each operation, generated requests (GenerationMode.POSITIVE: what the schema allows;
NEGATIVE: what it forbids) go to the app, and every answer is checked: no 5xx, documented
status codes and content types, bodies matching their schemas, invalid input rejected.
"""

from collections.abc import Callable, Sequence
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

# Swaps values only the server can issue (cursors, tokens, idempotency keys) into a generated
# valid request, and returns the headers to send with it.
PrepareCase = Callable[[schemathesis.Case[Any], GenerationMode], dict[str, str]]


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
