"""The todos service's ASGI app: wiring only. Run with `uvicorn --factory todos.main:build_app`."""

import logging

from fastapi import FastAPI

from todo_common.app import create_app
from todo_common.database import transaction
from todo_common.events.consumer import event_router
from todo_common.periodic import every
from todo_common.settings import load_settings
from todos.api.routes.todos import router as todos_router
from todos.core.config import TodosSettings
from todos.models import SCHEMA
from todos.services.creation import purge_expired_keys
from todos.services.events import EVENT_HANDLERS

logger = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 3600


def build_app(settings: TodosSettings | None = None) -> FastAPI:
    return create_app(
        name="todos",
        settings=settings or load_settings(TodosSettings),
        routers=[todos_router],
        internal_routers=[event_router(EVENT_HANDLERS)],
        # Idempotency keys past their TTL are dead weight; reuse also drops them lazily.
        background_tasks=[every(PURGE_INTERVAL_SECONDS, _purge_expired_keys)],
        model_schema=SCHEMA,
        description="Each user's todo items: keyset paging, ETags, idempotent creates.",
    )


def _purge_expired_keys(app: FastAPI) -> None:
    with transaction(app.state.engine) as session:
        forgotten = purge_expired_keys(session, ttl=app.state.settings.idempotency_key_ttl)
    logger.info("purged expired idempotency keys", extra={"idempotency_keys": forgotten})
