"""The todos service's ASGI app: wiring only. Run with `uvicorn --factory todos.main:build_app`."""

from fastapi import FastAPI

from todo_common.app import create_app
from todo_common.events.consumer import event_router
from todo_common.periodic import HOUSEKEEPING_INTERVAL_SECONDS, every
from todo_common.settings import load_settings
from todos import SCHEMA
from todos.api.routes.todos import router as todos_router
from todos.core.config import TodosSettings
from todos.services import maintenance
from todos.services.events import EVENT_HANDLERS


def build_app(settings: TodosSettings | None = None) -> FastAPI:
    return create_app(
        name="todos",
        settings=settings or load_settings(TodosSettings),
        routers=[todos_router],
        internal_routers=[event_router(EVENT_HANDLERS)],
        # Idempotency keys past their TTL are dead weight; reuse also drops them lazily.
        background_tasks=[every(HOUSEKEEPING_INTERVAL_SECONDS, _purge_expired)],
        model_schema=SCHEMA,
        description="Each user's todo items: keyset paging, ETags, idempotent creates.",
    )


def _purge_expired(app: FastAPI) -> None:
    maintenance.purge_expired(app.state.engine, ttl=app.state.settings.idempotency_key_ttl)
