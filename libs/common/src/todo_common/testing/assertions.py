"""What every error answer must look like to a client (docs/api.md, "Errors"), for any service."""

from typing import Any

import httpx

from todo_common.problem import PROBLEM_MEDIA_TYPE


def assert_problem(
    response: httpx.Response, status: int, instance: str | None = None
) -> dict[str, Any]:
    """Assert `response` is an RFC 9457 problem with `status`; return its body.

    `instance` defaults to the path the request was sent to.
    """
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    for text_field in ("title", "detail"):
        assert isinstance(body[text_field], str), body
        assert body[text_field], body
    assert body["instance"] == (instance or response.request.url.path)
    assert response.headers.get_list("X-Request-ID") == [body["request_id"]]
    return body


def assert_validation_problem(response: httpx.Response, *loc: str | int) -> dict[str, Any]:
    """Assert a 422 problem whose `errors` name the location `loc`; return its body."""
    body = assert_problem(response, 422)
    errors = body["errors"]
    assert errors, body
    for error in errors:
        assert set(error) == {"loc", "msg", "type"}, error
        for text_field in ("msg", "type"):
            assert isinstance(error[text_field], str), error
            assert error[text_field], error
    assert list(loc) in [error["loc"] for error in errors], body
    return body


def assert_unauthorized(response: httpx.Response) -> dict[str, Any]:
    body = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    return body
