import pytest
from fastapi.testclient import TestClient

from tests.fixtures import make_client
from todo_common.problem import PROBLEM_MEDIA_TYPE

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "request_id"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    # No database needed: an error page must render even when the database is down.
    return make_client()


class TestRenderGatewayError:
    def test_a_caught_status_is_rendered_as_problem_json_for_the_original_url(
        self, client: TestClient
    ) -> None:
        response = client.get(
            "/gateway-errors/503",
            params={"url": "http://localhost:8080/api/v1/todos/42?limit=5"},
            headers={"X-Request-ID": "client-chosen-id"},
        )

        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        body = response.json()
        assert set(body) == PROBLEM_FIELDS
        assert body["status"] == 503
        assert body["title"] == "Service Unavailable"
        assert body["instance"] == "/api/v1/todos/42"
        assert body["detail"] == "The todos service is unavailable; retry shortly"
        assert body["request_id"] == "client-chosen-id"
        assert response.headers["x-request-id"] == "client-chosen-id"
        assert int(response.headers["retry-after"]) > 0

    def test_too_many_requests_carries_the_retry_after_the_gateway_computed(
        self, client: TestClient
    ) -> None:
        response = client.get(
            "/gateway-errors/429",
            params={"url": "http://localhost:8080/api/v1/auth/login", "retry_after": "6"},
        )

        assert response.status_code == 429
        assert response.headers["retry-after"] == "6"
        assert response.json()["instance"] == "/api/v1/auth/login"

    def test_body_limit_is_named_in_the_detail(self, client: TestClient) -> None:
        response = client.get("/gateway-errors/413", params={"max_body_bytes": "1048576"})

        assert response.status_code == 413
        assert "1 MiB" in response.json()["detail"]
        assert "retry-after" not in response.headers

    @pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "PATCH"])
    def test_unknown_path_keeps_the_clients_method_and_names_the_path(
        self, client: TestClient, method: str
    ) -> None:
        response = client.request(
            method, "/gateway-errors/404", headers={"X-Replaced-Path": "/internal/events"}
        )

        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert response.json()["instance"] == "/internal/events"
        assert response.json()["detail"] == "No API route matches /internal/events"

    @pytest.mark.parametrize("status", ["200", "302", "600", "abc"])
    def test_only_error_statuses_render(self, client: TestClient, status: str) -> None:
        response = client.get(f"/gateway-errors/{status}")

        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE

    def test_is_not_in_the_openapi_document(self, client: TestClient) -> None:
        document = client.get("/api/v1/widgets/openapi.json").json()

        assert not any(path.startswith("/gateway-errors") for path in document["paths"])


class TestClientSentReplacedPath:
    def test_only_the_gateways_own_replaced_path_is_read(self, client: TestClient) -> None:
        # Traefik appends its X-Replaced-Path after any the client sent.
        response = client.get(
            "/gateway-errors/404",
            headers=[
                ("X-Replaced-Path", "/you-have-been-hacked"),
                ("X-Replaced-Path", "/api/v1/nothing"),
            ],
        )

        body = response.json()
        assert body["instance"] == "/api/v1/nothing"
        assert "hacked" not in body["detail"]

    def test_an_encoded_path_is_a_404_saying_why(self, client: TestClient) -> None:
        response = client.get(
            "/gateway-errors/404", headers={"X-Replaced-Path": "/api/v1/auth/login%2F"}
        )

        assert response.status_code == 404
        body = response.json()
        assert body["instance"] == "/api/v1/auth/login%2F"
        assert "percent-encoded" in body["detail"]
