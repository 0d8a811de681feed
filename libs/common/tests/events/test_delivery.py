"""`todo_common.events.delivery`: claiming, recording outcomes, lag, purge, backoff."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from tests.events.outbox_helpers import SCHEMA, outbox, publish_events, set_column
from todo_common.events.delivery import (
    ClaimedMessage,
    DeliveryOutcome,
    RetryPolicy,
    claim_due_messages,
    measure_lag,
    purge_delivered,
    record_outcomes,
)
from todo_common.tables import utc_now

LEASE = timedelta(seconds=30)
RETRY = RetryPolicy(initial_seconds=1.0, cap_seconds=8.0)


class TestRetryPolicy:
    @pytest.mark.parametrize(
        ("attempts", "ceiling"), [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (500, 8.0)]
    )
    def test_doubles_up_to_the_cap_with_jitter_in_the_upper_half(
        self, attempts: int, ceiling: float
    ) -> None:
        delays = [RETRY.delay(attempts).total_seconds() for _ in range(200)]

        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        # Jitter: messages that failed together do not all come back together.
        assert len(set(delays)) > 100


class TestClaimDueMessages:
    def test_claims_due_messages_oldest_first_with_their_envelope(self, engine: Engine) -> None:
        first, second = publish_events(engine, 2)

        claimed = claim_due_messages(engine, limit=10, lease=LEASE)

        assert [message.event_id for message in claimed] == [first, second]
        envelope = claimed[0].envelope()
        assert envelope.id == first
        assert envelope.type == "thing.happened"
        assert envelope.payload == {"index": 0}
        assert envelope.occurred_at == outbox(engine)[0]["created_at"]

    def test_a_claimed_message_waits_out_its_lease(self, engine: Engine) -> None:
        publish_events(engine, 1)
        before = utc_now()

        claim_due_messages(engine, limit=10, lease=LEASE)

        assert claim_due_messages(engine, limit=10, lease=LEASE) == []
        [row] = outbox(engine)
        assert row["next_attempt_at"] >= before + LEASE
        assert row["attempts"] == 0

    def test_a_lease_that_ends_makes_the_message_due_again(self, engine: Engine) -> None:
        # The relay that claimed it died before recording an outcome.
        [event_id] = publish_events(engine, 1)
        claim_due_messages(engine, limit=10, lease=timedelta(milliseconds=50))
        time.sleep(0.1)

        [again] = claim_due_messages(engine, limit=10, lease=LEASE)

        assert again.event_id == event_id

    def test_takes_at_most_limit(self, engine: Engine) -> None:
        publish_events(engine, 5)

        assert len(claim_due_messages(engine, limit=3, lease=LEASE)) == 3
        assert len(claim_due_messages(engine, limit=3, lease=LEASE)) == 2

    def test_skips_rows_another_relay_is_claiming_without_waiting(self, engine: Engine) -> None:
        publish_events(engine, 3)
        [locked_id, *_] = [row["id"] for row in outbox(engine)]
        claimed: list[ClaimedMessage] = []
        with engine.connect() as other_relay:
            # Another relay's claim, caught between its SELECT … FOR UPDATE and its commit.
            other_relay.execute(
                text(f"SELECT id FROM {SCHEMA}.outbox_message WHERE id = :id FOR UPDATE"),  # noqa: S608
                {"id": locked_id},
            )
            worker = threading.Thread(
                target=lambda: claimed.extend(claim_due_messages(engine, limit=10, lease=LEASE))
            )
            worker.start()
            worker.join(timeout=5)
            finished_while_locked = not worker.is_alive()
            other_relay.rollback()
        worker.join()

        assert finished_while_locked
        assert locked_id not in {message.id for message in claimed}
        assert len(claimed) == 2

    def test_ignores_delivered_and_future_messages(self, engine: Engine) -> None:
        publish_events(engine, 2)
        [delivered, _] = claim_due_messages(engine, limit=10, lease=LEASE)
        record_outcomes(engine, [DeliveryOutcome(delivered)], retry=RETRY)

        assert claim_due_messages(engine, limit=10, lease=LEASE) == []


class TestRecordOutcomes:
    def test_delivered_is_marked_and_kept(self, engine: Engine) -> None:
        publish_events(engine, 1)
        [message] = claim_due_messages(engine, limit=10, lease=LEASE)

        record_outcomes(engine, [DeliveryOutcome(message)], retry=RETRY)

        [row] = outbox(engine)
        assert row["delivered_at"] is not None
        assert row["attempts"] == 1
        assert row["last_error"] is None

    def test_failure_schedules_the_next_attempt_with_backoff(self, engine: Engine) -> None:
        publish_events(engine, 1)
        for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0)]:
            set_column(engine, "next_attempt_at", utc_now())
            [message] = claim_due_messages(engine, limit=10, lease=LEASE)
            before = utc_now()

            record_outcomes(engine, [DeliveryOutcome(message, "HTTP 503: down")], retry=RETRY)

            [row] = outbox(engine)
            assert row["attempts"] == attempt
            assert row["last_error"] == "HTTP 503: down"
            assert row["delivered_at"] is None
            wait = (row["next_attempt_at"] - before).total_seconds()
            assert ceiling / 2 - 0.1 <= wait <= ceiling + 0.1

    def test_long_errors_are_cut(self, engine: Engine) -> None:
        publish_events(engine, 1)
        [message] = claim_due_messages(engine, limit=10, lease=LEASE)

        record_outcomes(engine, [DeliveryOutcome(message, "x" * 10_000)], retry=RETRY)

        assert len(outbox(engine)[0]["last_error"]) == 500


class TestMeasureLag:
    def test_counts_waiting_and_retrying_and_ages_the_oldest(self, engine: Engine) -> None:
        publish_events(engine, 2, subscribers=("todos", "users"))
        set_column(engine, "created_at", utc_now() - timedelta(minutes=5))
        [failing, delivered, *_] = claim_due_messages(engine, limit=10, lease=LEASE)
        record_outcomes(
            engine,
            [DeliveryOutcome(failing, "refused"), DeliveryOutcome(delivered)],
            retry=RETRY,
        )

        lag = measure_lag(engine)

        assert lag.waiting == 3
        assert lag.retrying == 1
        assert lag.oldest_age_seconds is not None
        assert 299 <= lag.oldest_age_seconds <= 330
        assert sum(lag.waiting_by_subscriber.values()) == 3

    def test_nothing_waiting(self, engine: Engine) -> None:
        lag = measure_lag(engine)

        assert (lag.waiting, lag.retrying, lag.oldest_age_seconds) == (0, 0, None)
        assert lag.waiting_by_subscriber == {}


class TestPurgeDelivered:
    def test_deletes_only_deliveries_past_retention(self, engine: Engine) -> None:
        publish_events(engine, 3)
        old, recent, waiting = claim_due_messages(engine, limit=10, lease=LEASE)
        record_outcomes(engine, [DeliveryOutcome(old), DeliveryOutcome(recent)], retry=RETRY)
        with engine.begin() as connection:
            connection.execute(
                text(
                    f"UPDATE {SCHEMA}.outbox_message"  # noqa: S608
                    " SET delivered_at = now() - interval '8 days' WHERE id = :id"
                ),
                {"id": old.id},
            )

        purged = purge_delivered(engine, older_than=timedelta(days=7))

        assert purged == 1
        assert {row["id"] for row in outbox(engine)} == {recent.id, waiting.id}
