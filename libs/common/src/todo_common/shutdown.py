"""Graceful drain on SIGTERM: readiness refuses at once, the server stops a little later.

uvicorn on its own stops accepting connections the moment SIGTERM arrives, finishes the
requests in flight and exits (bounded by `--timeout-graceful-shutdown`, or the
`UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN` variable). A load balancer that health-checks
`/readyz` (the gateway every 2 s) would still send new requests to the closed port until its
next check. With `SHUTDOWN_DRAIN_SECONDS` > 0 the service first answers `/readyz` 503 and
keeps serving for that long, then hands the signal to uvicorn. In Kubernetes the pod's
`preStop` sleep does the same job, so the drain can stay 0 there.
"""

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)

SignalHandler = Callable[[int, FrameType | None], Any]


class Draining:
    """Set once the process has been asked to stop; readiness refuses from then on."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def begin(self) -> None:
        self._event.set()

    @property
    def active(self) -> bool:
        return self._event.is_set()


def drain_on_sigterm(draining: Draining, drain_seconds: float) -> Callable[[], None]:
    """Put the drain in front of the SIGTERM handler the server installed; returns an undo.

    Call it from the running event loop, in the main thread (the ASGI lifespan start-up
    under uvicorn). Elsewhere (a test client's thread) signals cannot be handled, and it
    does nothing.
    """
    if drain_seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    server_handler = signal.getsignal(signal.SIGTERM)
    if not callable(server_handler):
        return lambda: None

    def hand_over(signum: int, frame: FrameType | None) -> None:
        logger.info("drained; stopping")
        server_handler(signum, frame)

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        if draining.active:
            hand_over(signum, frame)  # a second SIGTERM: no more waiting
            return
        draining.begin()
        logger.info("SIGTERM received: readiness refuses; stopping in %s s", drain_seconds)
        loop.call_soon_threadsafe(loop.call_later, drain_seconds, hand_over, signum, None)

    signal.signal(signal.SIGTERM, on_sigterm)

    def undo() -> None:
        if signal.getsignal(signal.SIGTERM) is on_sigterm:
            signal.signal(signal.SIGTERM, server_handler)

    return undo
