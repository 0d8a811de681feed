"""The auth service's ASGI app: wiring only. Run with `uvicorn --factory auth.main:build_app`."""

from fastapi import FastAPI

from auth.api.routes.accounts import router as accounts_router
from auth.api.routes.keys import router as keys_router
from auth.api.routes.service_tokens import router as service_tokens_router
from auth.api.routes.sessions import router as sessions_router
from auth.core.config import AuthSettings
from auth.models import SCHEMA
from auth.services import maintenance
from auth.services.lockout import LockoutPolicy
from auth.services.passwords import Passwords
from auth.services.tokens import TokenIssuer
from todo_common.app import create_app
from todo_common.settings import load_settings


def build_app(settings: AuthSettings | None = None) -> FastAPI:
    settings = settings or load_settings(AuthSettings)
    keys = settings.key_ring()
    app = create_app(
        name="auth",
        settings=settings,
        routers=[accounts_router, sessions_router, keys_router],
        model_schema=SCHEMA,
        description="Accounts, passwords, access and refresh tokens, signing keys.",
        on_startup=[_purge_expired, _create_first_admin],
        token_verifier=keys.verifier(settings),
    )
    # Not under /api/v1/auth: the gateway must never route it.
    app.include_router(service_tokens_router)
    app.state.passwords = Passwords(
        memory_kib=settings.password_hash_memory_kib,
        time_cost=settings.password_hash_time_cost,
        concurrency=settings.password_hash_concurrency,
    )
    app.state.token_issuer = TokenIssuer(
        keys=keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        refresh_lifetime=settings.refresh_token_lifetime,
    )
    app.state.lockout_policy = LockoutPolicy(
        threshold=settings.login_lockout_threshold,
        base_seconds=settings.login_lockout_base_seconds,
        max_seconds=settings.login_lockout_max_seconds,
    )
    return app


def _purge_expired(app: FastAPI) -> None:
    maintenance.purge_expired(app.state.engine, policy=app.state.lockout_policy)


def _create_first_admin(app: FastAPI) -> None:
    maintenance.create_first_admin(
        app.state.engine, settings=app.state.settings, passwords=app.state.passwords
    )
