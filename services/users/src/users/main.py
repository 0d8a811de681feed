"""The users service's ASGI app: wiring only. Run with `uvicorn --factory users.main:build_app`."""

from fastapi import FastAPI

from todo_common.app import create_app
from todo_common.events.consumer import event_router
from todo_common.events.relay import TokenProvider, outbox_relay
from todo_common.security.service_tokens import service_token_provider
from todo_common.settings import load_settings
from users import SCHEMA
from users.api.routes.users import router as users_router
from users.core.config import UsersSettings
from users.services.events import EVENT_HANDLERS


def build_app(
    settings: UsersSettings | None = None, *, token_provider: TokenProvider | None = None
) -> FastAPI:
    settings = settings or load_settings(UsersSettings)
    relay = outbox_relay(token_provider or service_token_provider(settings))
    return create_app(
        name="users",
        settings=settings,
        routers=[users_router],
        internal_routers=[event_router(EVENT_HANDLERS)],
        background_tasks=[relay] if settings.outbox_relay_enabled else [],
        model_schema=SCHEMA,
        description="User profiles: your own, and every user's for admins.",
    )
