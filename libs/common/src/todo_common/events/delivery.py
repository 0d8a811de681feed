"""The relay's work on the outbox table: claim due messages, record outcomes, measure lag.

Blocking database calls (sync SQLModel); the relay runs them in a worker thread.

Claiming takes a lease rather than holding row locks across HTTP: one short transaction
picks due rows with `FOR UPDATE SKIP LOCKED` (concurrent relays skip each other's rows
instead of waiting) and pushes their `next_attempt_at` past the lease, then commits. No
lock or connection is held while the relay sends; another relay ignores the rows until the
lease ends, and a relay that dies mid-send lets its messages become due again after it.
"""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, update
from sqlmodel import col, select

from todo_common.database import transaction
from todo_common.events.envelope import EventEnvelope
from todo_common.events.models import OutboxMessage
from todo_common.tables import utc_now

# How much of a failed message's last error is kept (a subscriber's error page can be long).
_MAX_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """An outbox message reserved for one relay until its lease ends."""

    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    subscriber: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int

    def envelope(self) -> EventEnvelope:
        return EventEnvelope(
            id=self.event_id,
            type=self.event_type,
            occurred_at=self.created_at,
            payload=self.payload,
        )


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    message: ClaimedMessage
    # None when the subscriber acknowledged the event (2xx).
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter: about `initial`, twice that, … up to `cap` seconds."""

    initial_seconds: float
    cap_seconds: float

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failure (1 for the first)."""
        ceiling = min(self.cap_seconds, self.initial_seconds * 2 ** min(attempts - 1, 32))
        # "Equal jitter": at least half the exponential delay, so retries still back off,
        # and a random rest, so messages that failed together do not retry together.
        jitter = random.uniform(0, ceiling / 2)  # noqa: S311 - spreading load, not a secret
        return timedelta(seconds=ceiling / 2 + jitter)


@dataclass(frozen=True, slots=True)
class OutboxLag:
    """How far behind delivery is: what an operator watches."""

    waiting: int
    # Waiting messages that have failed at least once (a subscriber down or refusing).
    retrying: int
    oldest_age_seconds: float | None
    waiting_by_subscriber: dict[str, int]


def claim_due_messages(engine: Engine, *, limit: int, lease: timedelta) -> list[ClaimedMessage]:
    """Reserve up to `limit` undelivered, due messages for `lease`; committed on return."""
    now = utc_now()
    due = (
        select(OutboxMessage.id)
        .where(col(OutboxMessage.delivered_at).is_(None), col(OutboxMessage.next_attempt_at) <= now)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.created_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(due.scalar_subquery()))
        .values(next_attempt_at=now + lease)
        .returning(
            col(OutboxMessage.id),
            col(OutboxMessage.event_id),
            col(OutboxMessage.event_type),
            col(OutboxMessage.subscriber),
            col(OutboxMessage.payload),
            col(OutboxMessage.created_at),
            col(OutboxMessage.attempts),
        )
    )
    with transaction(engine) as session:
        rows = session.exec(claim).all()
    claimed = [ClaimedMessage(*row) for row in rows]
    return sorted(claimed, key=lambda message: message.created_at)


def record_outcomes(
    engine: Engine, outcomes: Sequence[DeliveryOutcome], *, retry: RetryPolicy
) -> None:
    """Mark acknowledged messages delivered; schedule the others' next attempt."""
    now = utc_now()
    delivered = [outcome.message.id for outcome in outcomes if outcome.error is None]
    with transaction(engine) as session:
        if delivered:
            session.exec(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id).in_(delivered),
                    col(OutboxMessage.delivered_at).is_(None),
                )
                .values(
                    delivered_at=now,
                    attempts=col(OutboxMessage.attempts) + 1,
                    last_error=None,
                )
            )
        for outcome in outcomes:
            if outcome.error is None:
                continue
            attempts = outcome.message.attempts + 1
            session.exec(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == outcome.message.id,
                    col(OutboxMessage.delivered_at).is_(None),
                )
                .values(
                    attempts=attempts,
                    next_attempt_at=now + retry.delay(attempts),
                    last_error=outcome.error[:_MAX_ERROR_LENGTH],
                )
            )


def measure_lag(engine: Engine) -> OutboxLag:
    """Count the undelivered messages, per subscriber, and the age of the oldest."""
    statement = (
        select(
            col(OutboxMessage.subscriber),
            func.count(),
            func.count().filter(col(OutboxMessage.attempts) > 0),
            func.min(col(OutboxMessage.created_at)),
        )
        .where(col(OutboxMessage.delivered_at).is_(None))
        .group_by(col(OutboxMessage.subscriber))
    )
    with transaction(engine) as session:
        rows = session.exec(statement).all()
    oldest = min((row[3] for row in rows), default=None)
    return OutboxLag(
        waiting=sum(row[1] for row in rows),
        retrying=sum(row[2] for row in rows),
        oldest_age_seconds=(utc_now() - oldest).total_seconds() if oldest else None,
        waiting_by_subscriber={row[0]: row[1] for row in rows},
    )


def purge_delivered(engine: Engine, *, older_than: timedelta) -> int:
    """Delete messages delivered more than `older_than` ago; return how many went."""
    with transaction(engine) as session:
        result = session.exec(
            delete(OutboxMessage).where(col(OutboxMessage.delivered_at) < utc_now() - older_than)
        )
    return int(result.rowcount)
