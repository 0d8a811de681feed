import asyncio
import os
import signal
import time
from types import FrameType

from todo_common.shutdown import Draining, drain_on_sigterm

DRAIN_SECONDS = 0.3


def _run_sigterm(drain_seconds: float, signals: int = 1) -> tuple[Draining, list[float]]:
    """Install a stand-in server handler, the drain in front of it, then SIGTERM ourselves.

    Returns the drain state and the delays (since the first signal) at which the server's
    own handler ran.
    """
    handed_over: list[float] = []
    started: list[float] = []

    def server_handler(_signum: int, _frame: FrameType | None) -> None:
        handed_over.append(time.monotonic() - started[0])

    draining = Draining()
    previous = signal.signal(signal.SIGTERM, server_handler)

    async def scenario() -> None:
        undo = drain_on_sigterm(draining, drain_seconds)
        try:
            started.append(time.monotonic())
            for _ in range(signals):
                os.kill(os.getpid(), signal.SIGTERM)
                await asyncio.sleep(0.01)
            await asyncio.sleep(drain_seconds + 0.3)
        finally:
            undo()

    try:
        asyncio.run(scenario())
        assert signal.getsignal(signal.SIGTERM) is server_handler  # undone
    finally:
        signal.signal(signal.SIGTERM, previous)
    return draining, handed_over


def test_sigterm_starts_draining_and_reaches_the_server_after_the_drain() -> None:
    draining, handed_over = _run_sigterm(DRAIN_SECONDS)

    assert draining.active
    [delay] = handed_over
    assert delay >= DRAIN_SECONDS


def test_a_second_sigterm_hands_over_at_once() -> None:
    _draining, handed_over = _run_sigterm(DRAIN_SECONDS, signals=2)

    assert handed_over[0] < DRAIN_SECONDS


def test_without_a_drain_the_server_gets_the_signal_directly() -> None:
    draining, handed_over = _run_sigterm(0)

    assert not draining.active
    assert len(handed_over) == 1
    assert handed_over[0] < DRAIN_SECONDS
