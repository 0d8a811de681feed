"""`create_app`: the one place a service is wired, so all three behave alike."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware

from todo_common.database import create_db_engine
from todo_common.health import router as health_router
from todo_common.logging import configure_logging
from todo_common.middleware import RequestContextMiddleware
from todo_common.openapi import install_problem_openapi
from todo_common.problem import register_problem_handlers
from todo_common.security.verification import TokenVerifier
from todo_common.settings import CommonSettings

StartupHook = Callable[[FastAPI], None]


def create_app(
    *,
    name: str,
    settings: CommonSettings,
    routers: Sequence[APIRouter],
    model_schema: str,
    description: str = "",
    on_startup: Sequence[StartupHook] = (),
    token_verifier: TokenVerifier | None = None,
) -> FastAPI:
    """A FastAPI app for service `name`: routers under `/api/v1/<name>`, docs beside them.

    `model_schema` is the schema the service's table models name (see `create_db_engine`).
    `on_startup` hooks run once the engine exists, before the first request.
    `token_verifier` replaces the one built from `settings` (auth verifies with its own keys).
    """
    configure_logging(name, settings.log_level)
    prefix = f"/api/v1/{name}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            hook(app)
        yield
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
    app.state.token_verifier = token_verifier or TokenVerifier.from_settings(settings)

    for router in routers:
        app.include_router(router, prefix=prefix)
    app.include_router(health_router)
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
