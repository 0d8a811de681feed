"""Publishing events and reading the outbox, for the event tests."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, text

from todo_common.database import transaction
from todo_common.events.outbox import publish

# The event tests run in the auth role's schema, as a producing (and consuming) service would.
SCHEMA = "auth"


def publish_events(
    engine: Engine,
    count: int = 1,
    *,
    subscribers: Sequence[str] = ("todos",),
    event_type: str = "thing.happened",
) -> list[uuid.UUID]:
    """Publish `count` events, each in its own transaction, as a service's requests would."""
    event_ids = []
    for index in range(count):
        with transaction(engine) as session:
            event_ids.append(
                publish(
                    session,
                    event_type=event_type,
                    payload={"index": index},
                    subscribers=subscribers,
                )
            )
    return event_ids


_OUTBOX_QUERY = text(
    "SELECT id, event_id, event_type, subscriber, payload, created_at, attempts,"
    " next_attempt_at, delivered_at, last_error"
    " FROM auth.outbox_message ORDER BY created_at, subscriber"
)


def outbox(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(_OUTBOX_QUERY)
        return [dict(row._mapping) for row in rows]


def set_column(engine: Engine, column: str, value: object) -> None:
    """Set `column` on every outbox row (to age messages, or make them due)."""
    with engine.begin() as connection:
        connection.execute(
            # `column` is one of the test's own names, never input.
            text(f"UPDATE auth.outbox_message SET {column} = :value"),  # noqa: S608
            {"value": value},
        )
