"""Housekeeping on a timer: forgetting Idempotency-Keys past their TTL."""

import logging
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from todo_common.database import transaction
from todos.services.creation import purge_expired_keys

logger = logging.getLogger(__name__)


def purge_expired(engine: Engine, *, ttl: timedelta) -> None:
    """Delete Idempotency-Keys older than `ttl` (reuse also drops them one by one).

    Run hourly. Best effort: a database that is down now is not a reason to stop, and what is
    left is purged next time (an expired key is never honoured anyway).
    """
    try:
        with transaction(engine) as session:
            forgotten = purge_expired_keys(session, ttl=ttl)
    except SQLAlchemyError as error:
        logger.warning("purge skipped: %s", type(error).__name__)
        return
    logger.info("purged expired state", extra={"idempotency_keys": forgotten})
