"""The outbox relay: a producing service's background task that delivers its events.

Each pass claims a batch of due messages (see `delivery` for the lease), POSTs each one's
envelope to its subscriber's `/internal/events` with a service token whose audience is the
subscriber, and records the outcome: delivered on 2xx, otherwise retried later with
exponential backoff and jitter. Delivery is at least once; consumers deduplicate by event
id. Every `OUTBOX_REPORT_SECONDS` the relay logs its backlog and purges delivered messages
older than the retention.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from functools import partial
from typing import TypeVar

import httpx
from anyio import to_thread
from fastapi import FastAPI
from sqlalchemy import Engine

from todo_common.events.delivery import (
    ClaimedMessage,
    DeliveryOutcome,
    OutboxLag,
    RetryPolicy,
    claim_due_messages,
    measure_lag,
    purge_delivered,
    record_outcomes,
)
from todo_common.events.envelope import EVENTS_PATH
from todo_common.settings import CommonSettings

logger = logging.getLogger(__name__)

# Audience (the subscriber's service name) -> a bearer token for calling it.
TokenProvider = Callable[[str], Awaitable[str]]

ResultT = TypeVar("ResultT")


class OutboxRelay:
    """Delivers one service's outbox; run several (one per replica) against one database."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: CommonSettings,
        token_provider: TokenProvider,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._token_provider = token_provider
        self._subscribers: Mapping[str, str] = {
            name: str(url).rstrip("/") for name, url in settings.event_subscribers.items()
        }
        self._client = httpx.AsyncClient(timeout=settings.outbox_delivery_timeout_seconds)
        self._retry = RetryPolicy(
            initial_seconds=settings.outbox_retry_initial_seconds,
            cap_seconds=settings.outbox_retry_max_seconds,
        )

    async def run(self) -> None:
        """Relay until cancelled. A failing pass (the database down) is logged and retried."""
        settings = self._settings
        logger.info("outbox relay started", extra={"subscribers": sorted(self._subscribers)})
        next_report = time.monotonic() + settings.outbox_report_seconds
        try:
            while True:
                claimed = await self._survive(self.relay_once)
                if time.monotonic() >= next_report:
                    await self._survive(self.report)
                    next_report = time.monotonic() + settings.outbox_report_seconds
                # A full batch means more may be due: go on at once.
                if claimed is None or claimed < settings.outbox_batch_size:
                    await asyncio.sleep(settings.outbox_poll_seconds)
        finally:
            await self._client.aclose()

    async def relay_once(self) -> int:
        """Deliver one batch of due messages; return how many were claimed."""
        claimed = await to_thread.run_sync(
            partial(
                claim_due_messages,
                self._engine,
                limit=self._settings.outbox_batch_size,
                lease=timedelta(seconds=self._settings.outbox_lease_seconds),
            )
        )
        if not claimed:
            return 0
        # The whole batch is in flight at once, so it ends within one delivery timeout,
        # well inside the lease.
        outcomes = await asyncio.gather(*(self._deliver(message) for message in claimed))
        await to_thread.run_sync(
            partial(record_outcomes, self._engine, outcomes, retry=self._retry)
        )
        return len(claimed)

    async def report(self) -> OutboxLag:
        """Log the backlog (waiting messages, the oldest's age) and purge old deliveries."""
        lag = await to_thread.run_sync(measure_lag, self._engine)
        retention = timedelta(hours=self._settings.outbox_retention_hours)
        purged = await to_thread.run_sync(
            partial(purge_delivered, self._engine, older_than=retention)
        )
        lagging = (
            lag.oldest_age_seconds is not None
            and lag.oldest_age_seconds > self._settings.outbox_lag_warning_seconds
        )
        logger.log(
            logging.WARNING if lagging else logging.INFO,
            "outbox lag",
            extra={
                "outbox_waiting": lag.waiting,
                "outbox_retrying": lag.retrying,
                "outbox_oldest_age_seconds": (
                    round(lag.oldest_age_seconds, 1) if lag.oldest_age_seconds is not None else None
                ),
                "outbox_waiting_by_subscriber": lag.waiting_by_subscriber,
                "outbox_purged": purged,
            },
        )
        return lag

    async def _deliver(self, message: ClaimedMessage) -> DeliveryOutcome:
        error = await self._send(message)
        if error is None:
            logger.debug(
                "event delivered",
                extra={"event_id": str(message.event_id), "subscriber": message.subscriber},
            )
        else:
            logger.warning(
                "event delivery failed; it will be retried",
                extra={
                    "event_id": str(message.event_id),
                    "event_type": message.event_type,
                    "subscriber": message.subscriber,
                    "attempts": message.attempts + 1,
                    "error": error,
                },
            )
        return DeliveryOutcome(message=message, error=error)

    async def _send(self, message: ClaimedMessage) -> str | None:
        """None if the subscriber acknowledged the event, else why not."""
        base_url = self._subscribers.get(message.subscriber)
        if base_url is None:
            return f"no URL for subscriber {message.subscriber!r} in EVENT_SUBSCRIBERS"
        try:
            # One bound for token and request together, so the batch ends inside the lease.
            async with asyncio.timeout(self._settings.outbox_delivery_timeout_seconds):
                token = await self._token_provider(message.subscriber)
                response = await self._client.post(
                    base_url + EVENTS_PATH,
                    json=message.envelope().model_dump(mode="json"),
                    headers={
                        "Authorization": f"Bearer {token}",
                        # The subscriber's log lines for this delivery carry the event id.
                        "X-Request-ID": str(message.event_id),
                    },
                )
        except TimeoutError:
            return "timed out"
        except Exception as error:
            # Whatever failed (connection refused, the token provider), this attempt did.
            return f"{type(error).__name__}: {error}"
        if response.is_success:
            return None
        return f"HTTP {response.status_code}: {response.text}"

    async def _survive(self, step: Callable[[], Awaitable[ResultT]]) -> ResultT | None:
        try:
            return await step()
        except Exception:
            logger.exception("outbox relay pass failed; retrying after the poll interval")
            return None


def outbox_relay(token_provider: TokenProvider) -> Callable[[FastAPI], Awaitable[None]]:
    """A `create_app` background task relaying the service's outbox with its engine."""

    async def run_outbox_relay(app: FastAPI) -> None:
        settings: CommonSettings = app.state.settings
        relay = OutboxRelay(
            engine=app.state.engine, settings=settings, token_provider=token_provider
        )
        await relay.run()

    return run_outbox_relay
