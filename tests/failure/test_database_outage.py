"""PostgreSQL stopped while clients write: quick 503s, then service again, nothing lost.

Four clients keep creating todos through the gateway, each retrying a write that got 503
with the same Idempotency-Key until it is acknowledged, as a well-behaved client does. The
database is stopped for a few seconds in the middle and started again; nothing is done to
the services.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from devstack.stack import Stack
from tests.failure.conftest import ANSWER_BOUND_SECONDS, bearer
from tests.failure.load import HTTP_TROUBLE, Answer, Load, timed
from todo_common.testing.waiting import holds_within

TODOS = "/api/v1/todos"
PROBLEM = "application/problem+json"
OUTAGE_SECONDS = 4.0
WRITE_DEADLINE_SECONDS = 60.0


@dataclass
class Writer:
    """One client creating todos; `acknowledged` maps each title to the id of its 201."""

    client: httpx.Client
    headers: dict[str, str]
    name: str
    acknowledged: dict[str, str] = field(default_factory=dict)

    def write_one(self) -> list[Answer]:
        title = f"{self.name} #{len(self.acknowledged)}"
        key = str(uuid.uuid4())
        attempts: list[Answer] = []
        deadline = time.monotonic() + WRITE_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            answer, response = timed(
                lambda: self.client.post(
                    TODOS,
                    json={"title": title},
                    headers={**self.headers, "Idempotency-Key": key},
                )
            )
            attempts.append(answer)
            if response is not None and response.status_code == 201:
                self.acknowledged[title] = response.json()["id"]
                return attempts
            time.sleep(0.2)
        return attempts


def listed_todos(client: httpx.Client, headers: dict[str, str]) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = client.get(TODOS, params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        items.extend(body["items"])
        cursor = body.get("next_cursor")
        if not cursor:
            return items


def test_writes_get_quick_503s_while_the_database_is_down_and_none_is_lost(
    stack: Stack, client: httpx.Client, start_replica: Callable[..., str]
) -> None:
    # A second todos process judging readiness as on Neon (READINESS_DB_MODE=observe):
    # one writer goes to it directly.
    observing = start_replica("todos", READINESS_DB_MODE="observe")
    headers = bearer(stack)
    writers = [Writer(client, headers, f"writer {index}") for index in range(3)]
    with httpx.Client(base_url=observing, timeout=30) as direct:
        writers.append(Writer(direct, headers, "writer on the observing replica"))
        _outage_under_load(stack, client, writers, observing)


def _outage_under_load(
    stack: Stack, client: httpx.Client, writers: list[Writer], observing: str
) -> None:
    assert stack.databases is not None
    server = stack.databases.server
    assert server is not None
    pids = {name: process.pid for name, process in stack.processes.items()}
    headers = writers[0].headers
    reader_headers = bearer(stack)

    def read_profile(_: int) -> list[Answer]:
        answer, _response = timed(lambda: client.get("/api/v1/users/me", headers=reader_headers))
        return [answer]

    with (
        Load(lambda worker: writers[worker].write_one(), workers=4, pause=0.1) as writes,
        Load(read_profile, workers=1, pause=0.2) as reads,
    ):
        assert holds_within(
            lambda: sum(len(w.acknowledged) for w in writers) >= 8, within=30, ignoring=HTTP_TROUBLE
        )
        server.stop()
        stopped_at = time.monotonic()  # from here on it is certainly down
        # The observing replica has seen its writes fail: its probes ping, and refuse.
        observed_outage = holds_within(
            lambda: httpx.get(f"{observing}/readyz", timeout=30).status_code == 503,
            within=OUTAGE_SECONDS,
            ignoring=HTTP_TROUBLE,
        )
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped_at)))
        restarting_at = time.monotonic()
        server.start()
        acknowledged_before_return = sum(len(w.acknowledged) for w in writers)
        # Back without a restart: every writer gets writes through again.
        assert holds_within(
            lambda: sum(len(w.acknowledged) for w in writers) >= acknowledged_before_return + 8,
            within=60,
            ignoring=HTTP_TROUBLE,
        ), "the writes did not resume after the database came back"

    assert observed_outage, "the observing replica's /readyz did not refuse during the outage"
    answers = writes.answers + reads.answers
    during = [a for a in answers if stopped_at <= a.started and a.ended <= restarting_at]
    assert during, "no request was answered while the database was down"
    assert {a.status for a in during} == {503}, during
    # Every answer, at any time: an acknowledgement or a 503 problem, never anything else.
    unexpected = [a for a in answers if a.status not in (200, 201, 503)]
    assert unexpected == []
    assert all(a.content_type == PROBLEM for a in answers if a.status == 503)
    # Never a hang: the slowest answer is bounded by the configured database waits.
    slowest = max(answers, key=lambda a: a.seconds)
    assert slowest.seconds < ANSWER_BOUND_SECONDS, slowest

    # Every acknowledged write is there, exactly once (retries replayed, not duplicated).
    stored = listed_todos(client, headers)
    acknowledged = {title: id_ for w in writers for title, id_ in w.acknowledged.items()}
    assert sorted(str(todo["id"]) for todo in stored) == sorted(acknowledged.values())
    assert {str(todo["title"]): str(todo["id"]) for todo in stored} == acknowledged

    # The same processes serve: nothing was restarted.
    assert {name: process.pid for name, process in stack.processes.items()} == pids
    assert all(process.is_running() for process in stack.processes.values())
    for base_url in [service.base_url for service in stack.settings.running] + [observing]:
        assert httpx.get(f"{base_url}/readyz", timeout=10).status_code == 200
    assert client.get("/api/v1/users/me", headers=reader_headers).status_code == 200
