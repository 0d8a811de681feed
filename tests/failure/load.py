"""Bounded load for the failure tests: a few threads, a deadline, every answer kept.

Traffic goes only to the stack on 127.0.0.1. Each worker stops by itself at its deadline or
when told to, so no test can leave requests running behind it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

# What a check may raise while a server of the stack is down or restarting: "not yet".
HTTP_TROUBLE: tuple[type[Exception], ...] = (httpx.HTTPError,)


@dataclass(frozen=True)
class Answer:
    """One request of a load: when it started, how long it took, and what came back."""

    started: float
    """time.monotonic() when it was sent."""
    seconds: float
    status: int | None
    """None when no HTTP answer came (the error's class is in `error`)."""
    content_type: str | None = None
    error: str | None = None
    detail: str | None = None

    @property
    def ended(self) -> float:
        return self.started + self.seconds


def timed(send: Callable[[], httpx.Response]) -> tuple[Answer, httpx.Response | None]:
    """Send one request and describe what happened, an exception included."""
    started = time.monotonic()
    try:
        response = send()
    except httpx.HTTPError as error:
        return Answer(started, time.monotonic() - started, None, error=type(error).__name__), None
    detail = None
    if response.headers.get("content-type") == "application/problem+json":
        detail = str(response.json().get("detail"))
    answer = Answer(
        started,
        time.monotonic() - started,
        response.status_code,
        response.headers.get("content-type"),
        detail=detail,
    )
    return answer, response


@dataclass
class Load:
    """`workers` threads each calling `request` in a loop until `stop()` or `seconds` pass.

    `request(worker)` makes one request (or one logical operation, retries included) and
    returns what it saw; the call in progress when the load stops is completed, not cut.
    """

    request: Callable[[int], list[Answer]]
    workers: int = 4
    seconds: float = 60.0
    pause: float = 0.05
    """Between two requests of one worker: load, not a flood on a shared 2-core machine."""
    answers: list[Answer] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> Load:
        deadline = time.monotonic() + self.seconds
        for worker in range(self.workers):
            thread = threading.Thread(target=self._run, args=(worker, deadline), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _run(self, worker: int, deadline: float) -> None:
        while not self._stopping.is_set() and time.monotonic() < deadline:
            answers = self.request(worker)
            with self._lock:
                self.answers.extend(answers)
            time.sleep(self.pause)

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def answers_between(self, start: float, end: float) -> list[Answer]:
        with self._lock:
            return [answer for answer in self.answers if start <= answer.started < end]
