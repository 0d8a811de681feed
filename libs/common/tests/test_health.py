import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.fixtures import (
    API_PREFIX,
    UNREACHABLE_DATABASE_URL,
    capture_logs,
    database_down,
    make_client,
    make_settings,
)
from todo_common.database import SessionDep
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


def _observing_client(database_url: str, **overrides: Any) -> TestClient:
    settings = make_settings(
        database_url,
        db_connect_retry_seconds=RETRY_BUDGET_SECONDS,
        readiness_db_mode="observe",
        **overrides,
    )
    return make_client(widgets_router(), settings=settings)


def widgets_router() -> APIRouter:
    """A route that uses the database, as a service's requests do."""
    router = APIRouter()

    @router.get("/widgets")
    def list_widgets(session: SessionDep) -> dict[str, int]:
        return {"one": session.execute(text("SELECT 1")).scalar_one()}

    return router


class TestObservingReadiness:
    """READINESS_DB_MODE=observe: probes judge by the service's own database work."""

    def test_probes_of_an_idle_service_do_not_query_the_database(
        self, service_database_urls: dict[str, str], postgres: EmbeddedPostgres
    ) -> None:
        with _observing_client(service_database_urls["todos"]) as client:
            assert client.get("/readyz").status_code == 200  # knows nothing yet: pings
            client.app.state.engine.dispose()  # type: ignore[attr-defined]
            with database_down(postgres):
                # The database is gone, but nothing has needed it: a Neon compute asleep
                # looks like this, and the service is still fit to take traffic.
                assert [client.get("/readyz").status_code for _ in range(3)] == [200] * 3

    def test_a_failed_request_makes_readiness_ping_until_the_database_is_back(
        self, service_database_urls: dict[str, str], postgres: EmbeddedPostgres
    ) -> None:
        with _observing_client(service_database_urls["todos"]) as client:
            assert client.get(f"{API_PREFIX}/widgets").status_code == 200
            assert client.get("/readyz").status_code == 200
            client.app.state.engine.dispose()  # type: ignore[attr-defined]
            with database_down(postgres):
                assert client.get(f"{API_PREFIX}/widgets").status_code == 503
                probe = client.get("/readyz")
                assert probe.status_code == 503
                assert probe.headers["content-type"] == PROBLEM_MEDIA_TYPE
                assert probe.json()["detail"] == "The database does not answer"

            # No request in between: the probe's own ping sees the database back.
            assert client.get("/readyz").status_code == 200

    def test_after_the_idle_spell_a_probe_pings(
        self, service_database_urls: dict[str, str], postgres: EmbeddedPostgres
    ) -> None:
        idle_seconds = 4.0
        with _observing_client(
            service_database_urls["todos"], readiness_db_ping_idle_seconds=idle_seconds
        ) as client:
            assert client.get(f"{API_PREFIX}/widgets").status_code == 200
            used_at = time.monotonic()
            client.app.state.engine.dispose()  # type: ignore[attr-defined]
            with database_down(postgres):
                assert time.monotonic() - used_at < idle_seconds, "stopping took too long"
                assert client.get("/readyz").status_code == 200  # used just now
                time.sleep(max(0.0, idle_seconds - (time.monotonic() - used_at)) + 0.1)
                assert client.get("/readyz").status_code == 503

    @pytest.mark.parametrize(
        "statements",
        [
            ["SELECT 1/0"],
            # Cancelled by statement_timeout: the database answered, it was only slow.
            ["SET LOCAL statement_timeout = 10", "SELECT pg_sleep(1)"],
        ],
        ids=["division-by-zero", "statement-timeout"],
    )
    def test_statement_errors_do_not_make_it_unready(
        self,
        service_database_urls: dict[str, str],
        postgres: EmbeddedPostgres,
        statements: list[str],
    ) -> None:
        router = APIRouter()

        @router.get("/broken")
        def broken(session: SessionDep) -> None:
            for statement in statements:
                session.execute(text(statement))

        settings = make_settings(service_database_urls["todos"], readiness_db_mode="observe")
        with make_client(router, settings=settings) as client:
            assert client.get("/readyz").status_code == 200
            assert client.get(f"{API_PREFIX}/broken").status_code >= 500
            client.app.state.engine.dispose()  # type: ignore[attr-defined]
            with database_down(postgres):
                # Had the error counted as an outage, this probe would ping, and fail.
                assert client.get("/readyz").status_code == 200

    def test_ping_mode_queries_on_every_probe(
        self, client: TestClient, postgres: EmbeddedPostgres
    ) -> None:
        assert client.get("/readyz").status_code == 200
        with database_down(postgres):
            assert client.get("/readyz").status_code == 503


class TestReadinessWhileDraining:
    def test_refuses_once_draining_began_and_liveness_still_answers(self) -> None:
        with make_client(settings=make_settings(UNREACHABLE_DATABASE_URL)) as client:
            client.app.state.draining.begin()  # type: ignore[attr-defined]

            response = client.get("/readyz")

            assert response.status_code == 503
            assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
            assert response.json()["detail"] == "The service is shutting down"
            assert client.get("/healthz").status_code == 200
