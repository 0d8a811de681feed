import asyncio
import threading

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from tests.fixtures import (
    API_PREFIX,
    APP_NAME,
    capture_logs,
    make_app,
    make_client,
    make_settings,
)
from todo_common.app import create_app
from todo_common.security.verification import TokenVerifier

router = APIRouter()


@router.get("/ping")
def ping() -> dict[str, str]:
    return {"pong": "yes"}


ALLOWED_ORIGIN = "https://app.example.com"


def preflight(client: TestClient, origin: str) -> dict[str, str]:
    response = client.options(
        f"{API_PREFIX}/ping",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization, If-Match",
        },
    )
    return dict(response.headers)


class TestRouting:
    def test_routers_are_mounted_under_the_service_prefix(self) -> None:
        with make_client(router) as client:
            assert client.get(f"{API_PREFIX}/ping").json() == {"pong": "yes"}
            assert client.get("/ping").status_code == 404

    def test_docs_and_schema_live_under_the_prefix(self) -> None:
        with make_client(router) as client:
            document = client.get(f"{API_PREFIX}/openapi.json").json()

            assert client.get(f"{API_PREFIX}/docs").status_code == 200
            assert client.get("/docs").status_code == 404
            assert client.get("/openapi.json").status_code == 404
        assert f"{API_PREFIX}/ping" in document["paths"]
        assert document["info"]["title"] == "Todo platform: widgets"


class TestCors:
    def test_allowed_origin_may_call_with_our_headers(self) -> None:
        with make_client(router, settings=make_settings(cors_origins=[ALLOWED_ORIGIN])) as client:
            headers = preflight(client, ALLOWED_ORIGIN)
            simple = client.get(f"{API_PREFIX}/ping", headers={"Origin": ALLOWED_ORIGIN})

        assert headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        assert "If-Match" in headers["access-control-allow-headers"]
        assert "x-request-id" in headers
        assert "X-Request-ID" in simple.headers["access-control-expose-headers"]
        assert "ETag" in simple.headers["access-control-expose-headers"]

    def test_other_origins_get_no_grant(self) -> None:
        with make_client(router, settings=make_settings(cors_origins=[ALLOWED_ORIGIN])) as client:
            headers = preflight(client, "https://evil.example.com")

        assert "access-control-allow-origin" not in headers

    def test_no_origins_means_no_cors(self) -> None:
        with make_client(router, settings=make_settings(cors_origins=[])) as client:
            headers = preflight(client, ALLOWED_ORIGIN)

        assert "access-control-allow-origin" not in headers


class TestLifespan:
    def test_startup_hooks_run_once_with_the_engine_ready(self) -> None:
        seen: list[FastAPI] = []

        def remember(app: FastAPI) -> None:
            assert app.state.engine is not None
            seen.append(app)

        app = make_app(router, on_startup=[remember])
        with TestClient(app):
            assert seen == [app]
        assert seen == [app]

    def test_state_holds_settings_engine_and_verifier(self) -> None:
        settings = make_settings()

        app = make_app(router, settings=settings)

        assert app.state.settings is settings
        assert app.state.engine.url.drivername == "postgresql+psycopg2"
        assert app.state.token_verifier.algorithms == ["HS256"]

    def test_a_given_verifier_replaces_the_one_from_settings(self) -> None:
        settings = make_settings()
        verifier = TokenVerifier(algorithms=["HS256"], issuer="me", audience="us", secret="s")

        app = create_app(
            name=APP_NAME,
            settings=settings,
            routers=[router],
            model_schema=settings.db_schema,
            token_verifier=verifier,
        )

        assert app.state.token_verifier is verifier

    def test_shutdown_closes_the_jwks_client(self) -> None:
        settings = make_settings(
            jwt_algorithms=["RS256"], jwt_secret=None, jwt_jwks_url="http://127.0.0.1:9/jwks"
        )
        app = make_app(router, settings=settings)

        with TestClient(app):
            pass

        assert app.state.token_verifier._jwks._client.is_closed


internal_router = APIRouter()


@internal_router.get("/internal/ping")
def internal_ping() -> dict[str, str]:
    return {"pong": "internal"}


class TestInternalRouters:
    def test_are_mounted_without_the_public_prefix(self) -> None:
        with make_client(router, internal_routers=[internal_router]) as client:
            assert client.get("/internal/ping").json() == {"pong": "internal"}
            assert client.get(f"{API_PREFIX}/internal/ping").status_code == 404

    def test_stay_out_of_the_public_document(self) -> None:
        with make_client(router, internal_routers=[internal_router]) as client:
            paths = client.get(f"{API_PREFIX}/openapi.json").json()["paths"]

        assert f"{API_PREFIX}/ping" in paths
        assert "/internal/ping" not in paths


class TestBackgroundTasks:
    def test_run_after_startup_hooks_until_shutdown_cancels_them(self) -> None:
        order: list[str] = []
        cancelled = threading.Event()

        def hook(app: FastAPI) -> None:
            order.append("hook")

        async def worker(app: FastAPI) -> None:
            order.append("worker")
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        app = make_app(router, on_startup=[hook], background_tasks=[worker])
        with TestClient(app) as client:
            assert client.get(f"{API_PREFIX}/ping").status_code == 200
            assert order == ["hook", "worker"]
            assert not cancelled.is_set()

        assert cancelled.is_set()

    def test_a_crashing_task_is_logged_and_the_app_keeps_serving(self) -> None:
        async def broken(app: FastAPI) -> None:
            raise RuntimeError("relay misconfigured")

        app = make_app(router, background_tasks=[broken])
        logs = capture_logs()
        with TestClient(app) as client:
            # The crash happens on the app's loop; a request gives it a turn first.
            client.get(f"{API_PREFIX}/ping")
            assert client.get(f"{API_PREFIX}/ping").status_code == 200

        [entry] = logs.lines("todo_common.app")
        assert entry["message"] == "background task broken crashed"
        assert "RuntimeError: relay misconfigured" in entry["exception"]
