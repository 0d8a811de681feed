"""What every error answer must look like to a client (API.md, "Errors").

Shared by every service's tests; a conftest registers it for assertion rewriting with
`pytest.register_assert_rewrite("todo_common.testing.assertions")`.
"""

from typing import Any

import httpx

PROBLEM_MEDIA_TYPE = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert `response` is an RFC 9457 problem with `status`; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def assert_validation_problem(response: httpx.Response, *loc: str | int) -> dict[str, Any]:
    """Assert a 422 problem whose `errors` name the location `loc`; return its body."""
    body = assert_problem(response, 422)
    errors = body["errors"]
    assert errors, body
    for error in errors:
        assert set(error) == {"loc", "msg", "type"}, error
        assert isinstance(error["msg"], str)
        assert error["msg"]
        assert isinstance(error["type"], str)
        assert error["type"]
    assert list(loc) in [error["loc"] for error in errors], body
    return body


def assert_unauthorized(response: httpx.Response) -> dict[str, Any]:
    body = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    return body
