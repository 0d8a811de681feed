"""Publishing events: written in the caller's transaction, delivered later by the relay."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session

from todo_common.events.models import OutboxMessage
from todo_common.tables import utc_now


def publish(
    session: Session,
    *,
    event_type: str,
    payload: Mapping[str, Any],
    subscribers: Sequence[str],
) -> uuid.UUID:
    """Record `event_type` for each subscriber in the current transaction; return the event id.

    Nothing is sent here: if the transaction rolls back, the event never happened; if it
    commits, the relay delivers it at least once to every subscriber.
    """
    event_id = uuid.uuid4()
    now = utc_now()
    for subscriber in subscribers:
        session.add(
            OutboxMessage(
                event_id=event_id,
                event_type=event_type,
                subscriber=subscriber,
                payload=dict(payload),
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.flush()
    return event_id
