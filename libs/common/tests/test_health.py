import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from tests.fixtures import (
    UNREACHABLE_DATABASE_URL,
    capture_logs,
    database_down,
    make_client,
    make_settings,
)
from todo_common.embedded_postgres import EmbeddedPostgres
from todo_common.problem import PROBLEM_MEDIA_TYPE

RETRY_BUDGET_SECONDS = 1.0


@pytest.fixture(scope="module")
def client(service_database_urls: dict[str, str]) -> Iterator[TestClient]:
    settings = make_settings(
        service_database_urls["todos"], db_connect_retry_seconds=RETRY_BUDGET_SECONDS
    )
    with make_client(settings=settings) as test_client:
        yield test_client


class TestLiveness:
    def test_is_ok(self, client: TestClient) -> None:
        response = client.get("/healthz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_needs_no_database(self) -> None:
        with make_client(settings=make_settings(UNREACHABLE_DATABASE_URL)) as client:
            assert client.get("/healthz").status_code == 200


class TestReadiness:
    def test_is_ready_when_the_database_answers(self, client: TestClient) -> None:
        response = client.get("/readyz")

        assert response.status_code == 200
        assert response.json() == {"status": "ready"}

    def test_probes_are_not_under_the_api_prefix(self, client: TestClient) -> None:
        assert client.get("/api/v1/widgets/readyz").status_code == 404

    def test_database_down_is_503_then_recovers_by_itself(
        self, client: TestClient, postgres: EmbeddedPostgres
    ) -> None:
        assert client.get("/readyz").status_code == 200  # the pool now holds a connection
        with database_down(postgres):
            started = time.monotonic()
            response = client.get("/readyz")
            elapsed = time.monotonic() - started
            liveness = client.get("/healthz")

        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert response.headers["retry-after"] == "2"
        body = response.json()
        assert body["status"] == 503
        assert body["instance"] == "/readyz"
        assert body["request_id"] == response.headers["x-request-id"]
        # Connect retries end with the budget (plus the last back-off), not a hang.
        assert elapsed < RETRY_BUDGET_SECONDS + 3
        assert liveness.status_code == 200

        # Started again, with nothing done to the app.
        response = client.get("/readyz")
        assert response.status_code == 200, response.text

    def test_outage_is_logged_without_credentials(
        self, client: TestClient, postgres: EmbeddedPostgres, service_database_urls: dict[str, str]
    ) -> None:
        logs = capture_logs()

        with database_down(postgres):
            assert client.get("/readyz").status_code == 503

        assert "Retrying" in logs.text
        password = make_url(service_database_urls["todos"]).password
        assert password
        assert password not in logs.text
