"""Which paths the gateway routes, and what a client gets for every other path."""

import http.client

import httpx
import pytest

from devstack.gateway import GatewayPorts
from devstack.stack import Stack
from todo_common.platform import SERVICES
from todo_common.testing.assertions import assert_problem


def raw_get(gateway: GatewayPorts, target: str) -> tuple[int, str, bytes]:
    """A request with the path exactly as written: httpx would normalise `..` away."""
    connection = http.client.HTTPConnection("127.0.0.1", gateway.web, timeout=10)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.getheader("content-type", ""), response.read()
    finally:
        connection.close()


class TestDocs:
    def test_each_service_serves_its_docs_through_the_gateway(
        self, client: httpx.Client, stack: Stack
    ) -> None:
        for service in stack.settings.running:
            page = client.get(f"{service.api_prefix}/docs")
            document = client.get(f"{service.api_prefix}/openapi.json")

            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            # Swagger UI fetches the schema from this path, through the gateway too.
            assert f"{service.api_prefix}/openapi.json" in page.text
            assert document.status_code == 200
            assert any(path.startswith(service.api_prefix) for path in document.json()["paths"])


class TestRoutedPaths:
    def test_collection_with_a_trailing_slash_answers_like_without(
        self, client: httpx.Client, user_headers: dict[str, str]
    ) -> None:
        plain = client.get("/api/v1/todos", headers=user_headers)
        slashed = client.get("/api/v1/todos/", headers=user_headers)

        assert plain.status_code == slashed.status_code == 200
        assert slashed.json() == plain.json()

    def test_a_longer_name_sharing_the_prefix_is_not_routed(self, client: httpx.Client) -> None:
        assert_problem(client.get("/api/v1/todosx"), 404, "/api/v1/todosx")


class TestUnroutedPaths:
    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/nothing-here",
            "/internal/events",
            "/healthz",
            "/readyz",
            "/metrics",
            "/ping",
            "/gateway-errors/503",
            "/api/v1/nothing",
        ],
    )
    def test_unknown_path_is_a_problem_json_404(self, client: httpx.Client, path: str) -> None:
        body = assert_problem(client.get(path), 404, path)

        assert body["detail"] == f"No API route matches {path}"

    def test_posting_an_event_from_outside_is_a_404(self, client: httpx.Client) -> None:
        response = client.post("/internal/events", json={"type": "user.deleted", "id": "x"})

        assert_problem(response, 404, "/internal/events")

    @pytest.mark.parametrize("name", SERVICES)
    @pytest.mark.parametrize("hidden", ["internal/events", "healthz", "readyz", "metrics"])
    def test_operations_paths_under_a_service_prefix_stay_hidden(
        self, client: httpx.Client, name: str, hidden: str, user_headers: dict[str, str]
    ) -> None:
        path = f"/api/v1/{name}/{hidden}"
        # With a valid token: were it routed, the service would answer (e.g. 422 for an id).
        body = assert_problem(client.get(path, headers=user_headers), 404, path)

        assert body["detail"] == f"No API route matches {path}"

    @pytest.mark.parametrize(
        "target",
        [
            "/api/v1/todos/../../internal/events",
            "/api/v1/todos/%2e%2e/%2e%2e/internal/events",
            "/api/v1/todos//../../healthz",
        ],
    )
    def test_dot_segments_cannot_climb_out_of_a_prefix(
        self, gateway: GatewayPorts, target: str
    ) -> None:
        status, content_type, _ = raw_get(gateway, target)

        assert status == 404
        assert content_type == "application/problem+json"


class TestOperationsEntryPoint:
    def test_ping_and_metrics_are_on_the_operations_port_only(
        self, gateway: GatewayPorts, client: httpx.Client
    ) -> None:
        client.get("/api/v1/todos")  # at least one routed request to count
        ping = httpx.get(f"{gateway.ops_url}/ping", timeout=5)
        metrics = httpx.get(f"{gateway.ops_url}/metrics", timeout=5)

        assert ping.status_code == 200
        assert ping.text == "OK"
        assert metrics.status_code == 200
        assert 'traefik_service_requests_total{code="401"' in metrics.text
        assert 'service="todos@file"' in metrics.text

    def test_the_operations_port_serves_no_api(self, gateway: GatewayPorts) -> None:
        response = httpx.get(f"{gateway.ops_url}/api/v1/todos", timeout=5)

        assert response.status_code == 404
        assert "todos" not in response.text
