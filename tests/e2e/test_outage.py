"""A service that is down: clients get problem+json from the gateway, then service again."""

from collections.abc import Callable, Iterator

import httpx
import pytest

from devstack.stack import Stack
from todo_common.testing.assertions import assert_problem
from todo_common.testing.waiting import eventually


@pytest.fixture
def todos_down(stack: Stack) -> Iterator[Callable[[], None]]:
    """Stops todos when called; whatever happens, todos runs again after the test."""
    yield lambda: stack.stop_service("todos")
    if not stack.processes["todos"].is_running():
        stack.start_service("todos")
    # The next test must find todos routed again, not still marked down by the gateway.
    with httpx.Client(base_url=stack.gateway_ports.url, timeout=5) as probe:
        eventually(lambda: probe.get("/api/v1/todos/openapi.json").status_code == 200)


class TestServiceKilledMidRun:
    def test_is_unavailable_while_down_and_serves_again_when_restarted(
        self,
        client: httpx.Client,
        stack: Stack,
        user_headers: dict[str, str],
        todos_down: Callable[[], None],
    ) -> None:
        created = client.post("/api/v1/todos", json={"title": "survives"}, headers=user_headers)
        assert created.status_code == 201

        todos_down()
        # 502 until the next health check notices, 503 once it has.
        assert client.get("/api/v1/todos", headers=user_headers).status_code in (502, 503)
        eventually(lambda: client.get("/api/v1/todos").status_code == 503)

        stack.start_service("todos")
        eventually(lambda: client.get("/api/v1/todos", headers=user_headers).status_code == 200)
        listing = client.get("/api/v1/todos", headers=user_headers).json()
        assert [todo["title"] for todo in listing["items"]] == ["survives"]

    def test_the_outage_is_problem_json_rendered_by_another_live_service(
        self,
        client: httpx.Client,
        stack: Stack,
        user_headers: dict[str, str],
        todos_down: Callable[[], None],
    ) -> None:
        todos_down()
        # Until the next health check (2 s) the dead service is still in the pool that renders
        # error pages, so a page may not render yet (docs/architecture.md, Gateway); once
        # the gateway has noticed, every answer is a problem rendered by a live service.
        eventually(lambda: client.get("/api/v1/todos").status_code == 503)
        during = client.get("/api/v1/todos", headers={**user_headers, "X-Request-ID": "outage-1"})
        body = assert_problem(during, 503, "/api/v1/todos")
        assert body["detail"] == "The todos service is unavailable; retry shortly"
        assert body["request_id"] == "outage-1"
        assert int(client.get("/api/v1/todos").headers["retry-after"]) >= 1
