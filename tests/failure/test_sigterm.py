"""SIGTERM under load: readiness refuses at once, requests in flight finish, the process exits.

A PATCH is held in flight by a row lock taken directly in the database, so it is certainly
running when uvicorn stops accepting; clients keep calling the service's own port meanwhile.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import psycopg2

from devstack.stack import Stack
from tests.failure.conftest import (
    GRACEFUL_SHUTDOWN_SECONDS,
    SHUTDOWN_DRAIN_SECONDS,
    bearer,
    query,
)
from tests.failure.load import HTTP_TROUBLE, Answer, Load, timed
from todo_common.testing.waiting import holds_within

EXIT_MARGIN_SECONDS = 5.0
# A request sent just before the port closes may be accepted by the kernel and then dropped
# unread: clients here ignore readiness (a load balancer would have stopped sending), so
# only requests sent this long before the close are judged.
CLOSING_SLACK_SECONDS = 1.0


def test_sigterm_drains_finishes_in_flight_requests_and_exits_in_time(stack: Stack) -> None:
    todos = stack.service("todos")
    process = stack.processes["todos"]
    pid = process.pid
    assert pid is not None
    headers = bearer(stack)
    created = httpx.post(
        f"{todos.base_url}/api/v1/todos", json={"title": "before"}, headers=headers, timeout=10
    )
    assert created.status_code == 201, created.text
    todo_id = created.json()["id"]

    assert stack.databases is not None
    lock = psycopg2.connect(stack.databases.urls["todos"])
    in_flight: list[httpx.Response | Exception] = []

    def patch() -> None:
        try:
            in_flight.append(
                httpx.patch(
                    f"{todos.base_url}/api/v1/todos/{todo_id}",
                    json={"title": "finished while stopping"},
                    headers=headers,
                    timeout=60,
                )
            )
        except httpx.HTTPError as error:
            in_flight.append(error)

    def call(_: int) -> list[Answer]:
        answer, _response = timed(
            lambda: httpx.get(f"{todos.base_url}/api/v1/todos", headers=headers, timeout=30)
        )
        return [answer]

    def probe(_: int) -> list[Answer]:
        answer, _response = timed(lambda: httpx.get(f"{todos.base_url}/readyz", timeout=30))
        return [answer]

    try:
        with lock.cursor() as cursor:
            cursor.execute("SELECT 1 FROM todos.todo WHERE id = %s FOR UPDATE", (todo_id,))
        writer = threading.Thread(target=patch, daemon=True)
        writer.start()
        assert holds_within(lambda: _waits_for_a_lock(stack), within=10, ignoring=HTTP_TROUBLE), (
            "the PATCH never blocked"
        )

        with Load(call, workers=3, pause=0.1) as calls, Load(probe, workers=1, pause=0.1) as probes:
            # Under load and ready first: a few answers of each kind before the signal.
            assert holds_within(
                lambda: len(probes.answers) >= 2 and len(calls.answers) >= 3,
                within=10,
                ignoring=HTTP_TROUBLE,
            )
            signalled_at = time.monotonic()
            os.kill(pid, signal.SIGTERM)
            # Keep the PATCH in flight past the drain, into uvicorn's own shutdown.
            time.sleep(SHUTDOWN_DRAIN_SECONDS + 1.0)
            lock.commit()
            writer.join(timeout=GRACEFUL_SHUTDOWN_SECONDS + EXIT_MARGIN_SECONDS)
            exited = holds_within(
                lambda: not process.is_running(),
                within=GRACEFUL_SHUTDOWN_SECONDS + EXIT_MARGIN_SECONDS,
                ignoring=HTTP_TROUBLE,
            )
            exited_after = time.monotonic() - signalled_at
    finally:
        lock.close()

    assert exited, "todos did not exit within the grace period"
    assert exited_after < SHUTDOWN_DRAIN_SECONDS + GRACEFUL_SHUTDOWN_SECONDS + EXIT_MARGIN_SECONDS
    # The request in flight completed, and its write is kept.
    [response] = in_flight
    assert isinstance(response, httpx.Response), response
    assert response.status_code == 200, response.text
    [row] = query(stack, "todos", "SELECT title FROM todos.todo WHERE id = %s", (todo_id,))
    assert row["title"] == "finished while stopping"

    # Before the signal: ready. During the drain: readiness refuses, requests are served.
    drain_ends = signalled_at + SHUTDOWN_DRAIN_SECONDS
    before = [a for a in probes.answers_between(0, signalled_at) if a.ended < signalled_at]
    assert before
    assert {a.status for a in before} == {200}, before
    # The first probe after the signal may have been sent a moment before it arrived.
    draining = probes.answers_between(signalled_at + 0.3, drain_ends - CLOSING_SLACK_SECONDS)
    assert draining
    assert [_brief(a, signalled_at) for a in draining if a.status != 503] == []
    assert {a.detail for a in draining} == {"The service is shutting down"}
    served = calls.answers_between(0, drain_ends - CLOSING_SLACK_SECONDS)
    assert served
    assert [_brief(a, signalled_at) for a in served if a.status != 200] == []
    # After the drain: no new connection is taken (refused), none is answered with an error.
    later = calls.answers_between(drain_ends + 0.5, float("inf"))
    assert later
    assert {a.status for a in later} <= {200, None}
    assert {a.error for a in later if a.status is None} <= {"ConnectError"}


def _brief(answer: Answer, signalled_at: float) -> tuple[float, float, int | None, str | None]:
    """When an answer was sent and took (seconds, relative to the signal), and what it was."""
    return (
        round(answer.started - signalled_at, 2),
        round(answer.seconds, 2),
        answer.status,
        answer.error,
    )


def _waits_for_a_lock(stack: Stack) -> bool:
    rows = query(
        stack,
        "todos",
        "SELECT count(*) AS waiting FROM pg_stat_activity"
        " WHERE application_name = 'todos' AND wait_event_type = 'Lock'",
    )
    return bool(rows[0]["waiting"])
