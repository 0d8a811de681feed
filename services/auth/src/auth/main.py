"""The auth service's ASGI app: wiring only. Run with `uvicorn --factory auth.main:build_app`."""

from fastapi import FastAPI

from auth import SCHEMA
from auth.api.routes.accounts import router as accounts_router
from auth.api.routes.keys import router as keys_router
from auth.api.routes.service_tokens import router as service_tokens_router
from auth.api.routes.sessions import router as sessions_router
from auth.core.config import AuthSettings
from auth.services import maintenance
from auth.services.events import EVENT_HANDLERS
from auth.services.lockout import LockoutPolicy
from auth.services.passwords import Passwords
from auth.services.tokens import TokenIssuer
from todo_common.app import create_app
from todo_common.events.consumer import event_router
from todo_common.events.relay import TokenProvider, outbox_relay
from todo_common.periodic import HOUSEKEEPING_INTERVAL_SECONDS, every
from todo_common.settings import load_settings


def build_app(
    settings: AuthSettings | None = None, *, token_provider: TokenProvider | None = None
) -> FastAPI:
    settings = settings or load_settings(AuthSettings)
    keys = settings.key_ring()
    token_issuer = TokenIssuer(
        keys=keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        refresh_lifetime=settings.refresh_token_lifetime,
    )
    relay = outbox_relay(token_provider or _own_service_tokens(token_issuer))
    app = create_app(
        name="auth",
        settings=settings,
        routers=[accounts_router, sessions_router, keys_router],
        # Not under /api/v1/auth: the gateway never routes them.
        internal_routers=[service_tokens_router, event_router(EVENT_HANDLERS)],
        background_tasks=[
            *([relay] if settings.outbox_relay_enabled else []),
            # Expired refresh tokens and old login failures go hourly, not only at start-up.
            every(HOUSEKEEPING_INTERVAL_SECONDS, _purge_expired),
        ],
        model_schema=SCHEMA,
        description="Accounts, passwords, access and refresh tokens, signing keys.",
        on_startup=[_purge_expired, _create_first_admin],
        token_verifier=keys.verifier(settings),
    )
    app.state.token_issuer = token_issuer
    app.state.passwords = Passwords(
        memory_kib=settings.password_hash_memory_kib,
        time_cost=settings.password_hash_time_cost,
        concurrency=settings.password_hash_concurrency,
    )
    app.state.lockout_policy = LockoutPolicy(
        threshold=settings.login_lockout_threshold,
        base_seconds=settings.login_lockout_base_seconds,
        max_seconds=settings.login_lockout_max_seconds,
    )
    return app


def _own_service_tokens(issuer: TokenIssuer) -> TokenProvider:
    # auth holds the signing key, so its relay mints its own service tokens.
    async def mint(audience: str) -> str:
        return issuer.service_token(client_id="auth", audience=audience)

    return mint


def _purge_expired(app: FastAPI) -> None:
    maintenance.purge_expired(app.state.engine, policy=app.state.lockout_policy)


def _create_first_admin(app: FastAPI) -> None:
    maintenance.create_first_admin(
        app.state.engine, settings=app.state.settings, passwords=app.state.passwords
    )
