"""The contract stage catches a service that breaks its document: the same CLI and config,
on the live todos service, against a copy of its document changed in one place each."""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.stack import Stack
from tests.contract.runner import run_schemathesis

Document = dict[str, Any]
ONE_TODO = "/api/v1/todos/{todo_id}"


def _without_not_found(document: Document) -> str:
    # The service answers 404 for an id that is not yours; the copy no longer says so.
    del document["paths"][ONE_TODO]["get"]["responses"]["404"]
    return "GET /api/v1/todos/{todo_id}"


def _with_a_field_never_sent(document: Document) -> str:
    # The copy promises a field the service never answers.
    todo = document["components"]["schemas"]["TodoPublic"]
    todo["properties"]["tags"] = {"type": "array", "items": {"type": "string"}}
    todo["required"] = [*todo["required"], "tags"]
    return "POST /api/v1/todos"


BREAKAGES: dict[str, tuple[Callable[[Document], str], str]] = {
    "undocumented status": (_without_not_found, "ST103"),
    "response body off its schema": (_with_a_field_never_sent, "ST108"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_document_fails_the_stage(stack: Stack, tmp_path: Path, breakage: str) -> None:
    break_document, failure_code = BREAKAGES[breakage]
    base_url = stack.service("todos").base_url
    document = httpx.get(f"{base_url}/api/v1/todos/openapi.json", timeout=10).json()
    broken = copy.deepcopy(document)
    operation = break_document(broken)
    schema_file = tmp_path / "todos-broken.json"
    schema_file.write_text(json.dumps(broken))

    run = run_schemathesis(
        str(schema_file),
        auth_url=stack.service("auth").base_url,
        name=f"broken-{breakage.replace(' ', '-')}",
        extra_arguments=("--url", base_url, "--include-name", operation),
    )

    codes = {failure["code"] for failure in run.report.get("failures", [])}
    assert run.exit_code != 0, run.output[-4000:]
    assert failure_code in codes, run.output[-4000:]
