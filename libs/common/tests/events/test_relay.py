"""`OutboxRelay`: delivery to a real HTTP subscriber, retries, concurrency, lag reports."""

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jose import jwt
from sqlalchemy import Engine, text

from tests.events.conftest import SettingsFactory
from tests.events.outbox_helpers import outbox, publish_events
from tests.fixtures import UNREACHABLE_DATABASE_URL, Subscriber, make_settings
from todo_common.database import create_db_engine
from todo_common.events.relay import OutboxRelay, TokenProvider
from todo_common.testing.harness import TEST_ISSUER, TEST_JWT_SECRET, service_token_minter
from todo_common.testing.waiting import eventually

pytestmark = pytest.mark.anyio

# Fast enough for tests: a poll every 20 ms, retries after 50 ms doubling up to 200 ms.
FAST = {
    "outbox_poll_seconds": 0.02,
    "outbox_retry_initial_seconds": 0.05,
    "outbox_retry_max_seconds": 0.2,
    "outbox_delivery_timeout_seconds": 2.0,
}


@pytest.fixture
def subscriber() -> Iterator[Subscriber]:
    server = Subscriber().start()
    yield server
    server.stop()


@pytest.fixture
def make_relay(
    engine: Engine, events_settings: SettingsFactory, subscriber: Subscriber
) -> Callable[..., OutboxRelay]:
    def factory(
        *,
        engine_to_use: Engine | None = None,
        token_provider: TokenProvider | None = None,
        **overrides: Any,
    ) -> OutboxRelay:
        settings = events_settings(
            **{"event_subscribers": {"todos": subscriber.url}, **FAST, **overrides}
        )
        return OutboxRelay(
            engine=engine_to_use or engine,
            settings=settings,
            token_provider=token_provider or service_token_minter("auth"),
        )

    return factory


async def running(relay: OutboxRelay, until: Callable[[], bool], within: float = 30.0) -> None:
    """Run `relay` as its service would, until `until()` holds; then cancel it."""
    task = asyncio.create_task(relay.run())
    try:
        # In a thread, so the relay keeps running on this loop while `until` is polled.
        await asyncio.to_thread(eventually, until, within=within)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def all_delivered(engine: Engine) -> Callable[[], bool]:
    return lambda: all(row["delivered_at"] is not None for row in outbox(engine))


class TestDelivery:
    async def test_posts_the_envelope_with_a_service_token_and_marks_it_delivered(
        self, engine: Engine, make_relay: Callable[..., OutboxRelay], subscriber: Subscriber
    ) -> None:
        [event_id] = publish_events(engine, 1)

        claimed = await make_relay().relay_once()

        assert claimed == 1
        [receipt] = subscriber.receipts
        assert receipt.path == "/internal/events"
        [row] = outbox(engine)
        assert receipt.envelope == {
            "id": str(event_id),
            "type": "thing.happened",
            "occurred_at": row["created_at"].isoformat().replace("+00:00", "Z"),
            "payload": {"index": 0},
        }
        # The subscriber's logs for this delivery carry the event id as request id.
        assert receipt.request_id == str(event_id)
        claims = jwt.decode(
            receipt.authorization.removeprefix("Bearer "),
            TEST_JWT_SECRET,
            algorithms=["HS256"],
            audience="todos",
            issuer=TEST_ISSUER,
        )
        assert (claims["role"], claims["sub"]) == ("service", "service:auth")
        assert row["delivered_at"] is not None
        assert (row["attempts"], row["last_error"]) == (1, None)

    async def test_every_subscriber_gets_the_event_with_its_own_audience(
        self,
        engine: Engine,
        make_relay: Callable[..., OutboxRelay],
        subscriber: Subscriber,
    ) -> None:
        [event_id] = publish_events(engine, 1, subscribers=("todos", "users"))
        relay = make_relay(event_subscribers={"todos": subscriber.url, "users": subscriber.url})

        await relay.relay_once()

        assert subscriber.received_ids() == [str(event_id), str(event_id)]
        audiences = {
            jwt.get_unverified_claims(receipt.authorization.removeprefix("Bearer "))["aud"]
            for receipt in subscriber.receipts
        }
        assert audiences == {"todos", "users"}

    async def test_nothing_due_sends_nothing(
        self, make_relay: Callable[..., OutboxRelay], subscriber: Subscriber
    ) -> None:
        assert await make_relay().relay_once() == 0
        assert subscriber.receipts == []


class TestRetries:
    @pytest.mark.parametrize("status", [500, 503, 401, 404])
    async def test_refusal_is_retried_later_with_backoff(
        self,
        engine: Engine,
        make_relay: Callable[..., OutboxRelay],
        subscriber: Subscriber,
        status: int,
    ) -> None:
        publish_events(engine, 1)
        subscriber.status = status
        relay = make_relay(outbox_retry_initial_seconds=30.0, outbox_retry_max_seconds=60.0)

        await relay.relay_once()

        [row] = outbox(engine)
        assert row["delivered_at"] is None
        assert row["attempts"] == 1
        assert row["last_error"].startswith(f"HTTP {status}")
        wait = (row["next_attempt_at"] - row["created_at"]).total_seconds()
        assert 15 <= wait <= 31
        # Not due yet: the next pass leaves it alone.
        assert await relay.relay_once() == 0
        assert len(subscriber.receipts) == 1

    async def test_subscriber_down_then_back_gets_every_event_once(
        self, engine: Engine, make_relay: Callable[..., OutboxRelay], subscriber: Subscriber
    ) -> None:
        subscriber.stop()
        event_ids = publish_events(engine, 5)
        relay = make_relay()

        # While it is down, every message fails and backs off, more than once.
        await running(relay, until=lambda: all(row["attempts"] >= 2 for row in outbox(engine)))
        rows = outbox(engine)
        assert all(row["delivered_at"] is None for row in rows)
        assert all("ConnectError" in row["last_error"] for row in rows)

        subscriber.start()
        await running(make_relay(), until=all_delivered(engine))

        assert Counter(subscriber.received_ids()) == {str(event_id): 1 for event_id in event_ids}

    async def test_a_slow_subscriber_times_out_and_is_retried(
        self, engine: Engine, make_relay: Callable[..., OutboxRelay], subscriber: Subscriber
    ) -> None:
        publish_events(engine, 1)
        subscriber.delay = 0.5
        relay = make_relay(outbox_delivery_timeout_seconds=0.1)

        await relay.relay_once()

        [row] = outbox(engine)
        assert (row["attempts"], row["delivered_at"]) == (1, None)
        assert row["last_error"] == "timed out"

    async def test_unconfigured_subscriber_is_retried_and_named(
        self, engine: Engine, make_relay: Callable[..., OutboxRelay]
    ) -> None:
        publish_events(engine, 1, subscribers=("billing",))

        await make_relay().relay_once()

        [row] = outbox(engine)
        assert row["attempts"] == 1
        assert row["last_error"] == "no URL for subscriber 'billing' in EVENT_SUBSCRIBERS"

    async def test_token_provider_failure_is_a_failed_attempt(
        self, engine: Engine, make_relay: Callable[..., OutboxRelay], subscriber: Subscriber
    ) -> None:
        async def auth_is_down(audience: str) -> str:
            raise ConnectionError("auth unreachable")

        publish_events(engine, 1)

        await make_relay(token_provider=auth_is_down).relay_once()

        [row] = outbox(engine)
        assert row["last_error"] == "ConnectionError: auth unreachable"
        assert subscriber.receipts == []


class TestConcurrentRelays:
    async def test_two_relays_deliver_each_message_once(
        self,
        engine: Engine,
        events_settings: SettingsFactory,
        make_relay: Callable[..., OutboxRelay],
        subscriber: Subscriber,
    ) -> None:
        event_ids = publish_events(engine, 120)
        # A slow subscriber keeps both relays busy at once; each has its own engine and
        # pool, as two replicas would.
        subscriber.delay = 0.005
        second_engine = create_db_engine(events_settings(), model_schema="auth")
        relays = [
            make_relay(outbox_batch_size=10),
            make_relay(outbox_batch_size=10, engine_to_use=second_engine),
        ]
        claimed_by = [0, 0]

        async def drain(index: int) -> None:
            deadline = time.monotonic() + 20
            while not all_delivered(engine)() and time.monotonic() < deadline:
                claimed = await relays[index].relay_once()
                claimed_by[index] += claimed
                if not claimed:
                    # The rest is claimed by the other relay (or waiting for a retry).
                    await asyncio.sleep(0.01)

        try:
            await asyncio.gather(drain(0), drain(1))
        finally:
            second_engine.dispose()

        assert Counter(subscriber.received_ids()) == {str(event_id): 1 for event_id in event_ids}
        assert all(row["delivered_at"] is not None for row in outbox(engine))
        assert all(claimed_by), claimed_by


class TestRun:
    async def test_run_delivers_until_cancelled(
        self, engine: Engine, make_relay: Callable[..., OutboxRelay], subscriber: Subscriber
    ) -> None:
        relay = make_relay()
        task = asyncio.create_task(relay.run())
        try:
            event_ids = publish_events(engine, 3)
            await asyncio.to_thread(eventually, all_delivered(engine))
            later = publish_events(engine, 1)
            await asyncio.to_thread(eventually, all_delivered(engine))
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        assert sorted(subscriber.received_ids()) == sorted(map(str, event_ids + later))
        assert task.cancelled()

    async def test_survives_a_database_that_is_down(
        self, caplog: pytest.LogCaptureFixture, subscriber: Subscriber
    ) -> None:
        settings = make_settings(
            UNREACHABLE_DATABASE_URL, schema="auth", db_connect_retry_seconds=0, **FAST
        )
        engine = create_db_engine(settings, model_schema="auth")
        relay = OutboxRelay(
            engine=engine, settings=settings, token_provider=service_token_minter("auth")
        )
        caplog.set_level(logging.ERROR, logger="todo_common.events.relay")

        def failed_passes() -> int:
            return sum(
                record.message.startswith("outbox relay pass failed") for record in caplog.records
            )

        try:
            await running(relay, until=lambda: failed_passes() >= 2)
        finally:
            engine.dispose()

        assert subscriber.receipts == []


class TestReport:
    async def test_logs_the_backlog_and_purges_old_deliveries(
        self,
        engine: Engine,
        make_relay: Callable[..., OutboxRelay],
        subscriber: Subscriber,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        publish_events(engine, 2, subscribers=("todos", "billing"))
        relay = make_relay()
        await relay.relay_once()
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE auth.outbox_message SET delivered_at = now() - interval '8 days'"
                    " WHERE delivered_at IS NOT NULL"
                )
            )
        caplog.set_level(logging.INFO, logger="todo_common.events.relay")

        lag = await relay.report()

        assert (lag.waiting, lag.retrying) == (2, 2)
        [record] = [r for r in caplog.records if r.message == "outbox lag"]
        fields: dict[str, Any] = vars(record)
        assert fields["outbox_waiting"] == 2
        assert fields["outbox_retrying"] == 2
        assert fields["outbox_waiting_by_subscriber"] == {"billing": 2}
        assert fields["outbox_oldest_age_seconds"] >= 0
        # The deliveries to todos are past the week's retention.
        assert fields["outbox_purged"] == 2
        assert [row["subscriber"] for row in outbox(engine)] == ["billing", "billing"]
        assert record.levelno == logging.INFO

    async def test_old_backlog_is_a_warning(
        self,
        engine: Engine,
        make_relay: Callable[..., OutboxRelay],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        publish_events(engine, 1, subscribers=("billing",))
        caplog.set_level(logging.INFO, logger="todo_common.events.relay")
        await asyncio.sleep(0.1)

        await make_relay(outbox_lag_warning_seconds=0.05).report()

        [record] = [r for r in caplog.records if r.message == "outbox lag"]
        assert record.levelno == logging.WARNING

    async def test_run_reports_periodically(
        self,
        engine: Engine,
        make_relay: Callable[..., OutboxRelay],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.INFO, logger="todo_common.events.relay")
        relay = make_relay(outbox_report_seconds=0.05)

        def reports() -> int:
            return sum(record.message == "outbox lag" for record in caplog.records)

        await running(relay, until=lambda: reports() >= 2)
