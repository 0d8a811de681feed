"""What every error answer through the gateway looks like to a client."""

import time
from collections.abc import Callable
from typing import Any

import httpx

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "request_id"}
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_problem(response: httpx.Response, status: int, instance: str | None = None) -> Any:
    """An RFC 9457 body with our fields, its request id the one in X-Request-ID."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    if instance is not None:
        assert body["instance"] == instance
    return body


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


def eventually(condition: Callable[[], bool], timeout: float = 30) -> bool:
    """True once `condition` holds within `timeout` seconds (health checks, event relays)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
