"""Consuming events: `event_router(handlers)` gives a service its `POST /internal/events`.

A handler applies one event type's effect: `(session, payload) -> None`, in the request's
transaction. The event id is recorded in `processed_event` in that same transaction, so
the effect and the record commit together or not at all, and a redelivered event (the
relay delivers at least once) changes nothing. Unknown event types are acknowledged and
logged: refusing them would make the producer retry forever.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, status
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from todo_common.database import SessionDep
from todo_common.errors import UnprocessableContent
from todo_common.events.envelope import EVENTS_PATH, EventEnvelope
from todo_common.events.models import ProcessedEvent
from todo_common.problem import problem_responses
from todo_common.security.dependencies import ServiceCaller
from todo_common.tables import utc_now

logger = logging.getLogger(__name__)

EventHandler = Callable[[Session, dict[str, Any]], None]


def consume_event(
    session: Session, envelope: EventEnvelope, handlers: Mapping[str, EventHandler]
) -> bool:
    """Apply `envelope` unless it was applied before or nobody handles its type.

    Returns whether it took effect. A payload its handler cannot read is a 422 (the
    producer's bug: it retries, and the error shows in its outbox).
    """
    handler = handlers.get(envelope.type)
    event = {"event_id": str(envelope.id), "event_type": envelope.type}
    if handler is None:
        logger.warning("event of an unknown type acknowledged without effect", extra=event)
        return False
    # A concurrent delivery of the same event waits on the primary key here until the
    # first commits, then finds the row and does nothing.
    recorded = session.exec(
        insert(ProcessedEvent)
        .values(event_id=envelope.id, event_type=envelope.type, processed_at=utc_now())
        .on_conflict_do_nothing(index_elements=["event_id"])
    )
    if recorded.rowcount == 0:
        logger.info("event already processed; acknowledged again without effect", extra=event)
        return False
    try:
        handler(session, envelope.payload)
    except ValidationError as error:
        raise UnprocessableContent(
            f"The payload of {envelope.type} is invalid",
            errors=[
                {"loc": ["body", "payload", *item["loc"]], "msg": item["msg"], "type": item["type"]}
                for item in error.errors(include_input=False, include_url=False)
            ],
        ) from None
    logger.info("event processed", extra=event)
    return True


def event_router(handlers: Mapping[str, EventHandler]) -> APIRouter:
    """`POST /internal/events` for `create_app(internal_routers=...)`: service tokens only."""
    router = APIRouter(tags=["internal"])

    @router.post(
        EVENTS_PATH,
        status_code=status.HTTP_204_NO_CONTENT,
        responses=problem_responses(401, 403, 422),
    )
    def receive_event(caller: ServiceCaller, session: SessionDep, envelope: EventEnvelope) -> None:
        """Apply an event from another service once; repeats and unknown types are acknowledged."""
        consume_event(session, envelope, handlers)

    return router
