"""`create_app`: the one place a service is wired, so all three behave alike."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware

from todo_common.database import create_db_engine
from todo_common.gateway_errors import router as gateway_errors_router
from todo_common.health import DatabaseObserver
from todo_common.health import router as health_router
from todo_common.logging import configure_logging
from todo_common.middleware import RequestContextMiddleware
from todo_common.openapi import install_problem_openapi
from todo_common.problem import register_problem_handlers
from todo_common.security.verification import TokenVerifier
from todo_common.settings import CommonSettings
from todo_common.shutdown import Draining, drain_on_sigterm

logger = logging.getLogger(__name__)

StartupHook = Callable[[FastAPI], None]
# Runs for the life of the app (an outbox relay): started after the startup hooks,
# cancelled at shutdown.
BackgroundTask = Callable[[FastAPI], Awaitable[None]]


def create_app(
    *,
    name: str,
    settings: CommonSettings,
    routers: Sequence[APIRouter],
    model_schema: str,
    description: str = "",
    on_startup: Sequence[StartupHook] = (),
    internal_routers: Sequence[APIRouter] = (),
    background_tasks: Sequence[BackgroundTask] = (),
    token_verifier: TokenVerifier | None = None,
) -> FastAPI:
    """A FastAPI app for service `name`: routers under `/api/v1/<name>`, docs beside them.

    `model_schema` is the schema the service's table models name (see `create_db_engine`).
    `on_startup` hooks run once the engine exists, before the first request.
    `internal_routers` carry service-to-service routes (`/internal/...`): mounted as they
    are, outside the public prefix and out of the public OpenAPI document, since the
    gateway never routes them. `background_tasks` run from start-up until shutdown.
    `token_verifier` replaces the one built from `settings` (auth verifies with its own keys).
    """
    configure_logging(name, settings.log_level)
    prefix = f"/api/v1/{name}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            hook(app)
        stop_draining = drain_on_sigterm(app.state.draining, settings.shutdown_drain_seconds)
        tasks = [
            asyncio.create_task(_log_crash(task, app), name=getattr(task, "__name__", "task"))
            for task in background_tasks
        ]
        try:
            yield
        finally:
            stop_draining()
            for running in tasks:
                running.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await app.state.token_verifier.aclose()
            app.state.engine.dispose()

    app = FastAPI(
        title=f"Todo platform: {name}",
        description=description,
        version="1.0.0",
        openapi_url=f"{prefix}/openapi.json",
        docs_url=f"{prefix}/docs",
        redoc_url=None,
        lifespan=lifespan,
        # Trailing slashes are stripped by RequestContextMiddleware instead of redirected.
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.engine = create_db_engine(settings, model_schema=model_schema)
    app.state.database_observer = DatabaseObserver()
    app.state.database_observer.attach(app.state.engine)
    app.state.draining = Draining()
    app.state.token_verifier = token_verifier or TokenVerifier.from_settings(settings)

    for router in routers:
        app.include_router(router, prefix=prefix)
    for router in internal_routers:
        app.include_router(router, include_in_schema=False)
    app.include_router(health_router)
    # Not in the OpenAPI document: Traefik fetches these pages, clients never call them.
    app.include_router(gateway_errors_router)
    register_problem_handlers(app)
    install_problem_openapi(app)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "X-Request-ID",
            ],
            expose_headers=["ETag", "Location", "X-Request-ID"],
        )
    # Added last, so it wraps everything else: every response gets the request id.
    app.add_middleware(RequestContextMiddleware)
    return app


async def _log_crash(task: BackgroundTask, app: FastAPI) -> None:
    # A background task is expected to run until cancelled; if it ends with an error, that
    # must show in the logs rather than vanish with the task.
    try:
        await task(app)
    except Exception:
        logger.exception("background task %s crashed", getattr(task, "__name__", task))
