"""docs/api.md lists exactly the operations and statuses of each service's OpenAPI document.

The page is read loosely (any table row whose cells hold an HTTP method and a backticked
path; every three-digit number in its `success` and `errors` cells) so its wording and
layout can change freely; the sets it documents must equal the documents' sets.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from auth.core.config import AuthSettings
from auth.main import build_app as build_auth
from tests.commands import REPO_ROOT
from todo_common.testing.contract import openapi_document
from todos.core.config import TodosSettings
from todos.main import build_app as build_todos
from users.core.config import UsersSettings
from users.main import build_app as build_users

API_DOC = REPO_ROOT / "docs" / "api.md"
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
STATUS = re.compile(r"\b[1-5]\d\d\b")

# An operation as the tests compare it: (method, path) -> the statuses it may answer.
Operations = dict[tuple[str, str], set[int]]

DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "auth": lambda: openapi_document(build_auth, AuthSettings),
    "users": lambda: openapi_document(build_users, UsersSettings),
    "todos": lambda: openapi_document(build_todos, TodosSettings),
}


def documented_operations(text: str) -> Operations:
    operations: Operations = {}
    header: list[str] = []
    for line in text.splitlines():
        if not line.startswith("|"):
            header = []
            continue
        cells = [cell.strip().lower() for cell in line.strip().strip("|").split("|")]
        if not header:
            header = cells
            continue
        row = dict(zip(header, cells, strict=False))
        method, path = row.get("method", "").upper(), row.get("path", "").strip("`")
        if method in METHODS and path.startswith("/"):
            statuses = f"{row.get('success', '')} {row.get('errors', '')}"
            assert (method, path) not in operations, f"{method} {path} is documented twice"
            operations[method, path] = {int(status) for status in STATUS.findall(statuses)}
    return operations


def openapi_operations(document: dict[str, Any]) -> Operations:
    return {
        (method.upper(), path): {int(status) for status in operation["responses"]}
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def belongs_to(service: str, path: str) -> bool:
    return path.startswith(f"/api/v1/{service}")


@pytest.fixture(scope="module")
def documented() -> Operations:
    return documented_operations(API_DOC.read_text(encoding="utf-8"))


def test_the_page_is_read_as_tables(documented: Operations) -> None:
    # Guards the reader itself: a page it could not parse would compare as empty.
    assert ("POST", "/api/v1/todos") in documented
    assert documented["DELETE", "/api/v1/todos/{todo_id}"] == {204, 401, 404, 412, 422, 503}


@pytest.mark.parametrize("service", sorted(DOCUMENTS))
def test_every_operation_is_documented_with_its_statuses(
    service: str, documented: Operations
) -> None:
    served = openapi_operations(DOCUMENTS[service]())
    on_page = {key: value for key, value in documented.items() if belongs_to(service, key[1])}

    assert sorted(set(served) - set(on_page)) == [], "served but not in docs/api.md"
    assert sorted(set(on_page) - set(served)) == [], "in docs/api.md but not served"
    differing = {
        f"{method} {path}": {"docs/api.md": sorted(on_page[method, path]), "OpenAPI": sorted(s)}
        for (method, path), s in served.items()
        if on_page[method, path] != s
    }
    assert differing == {}, "statuses differ"
