"""Waiting, in a test, for what happens in the background: an event relay, a health check."""

import time
from collections.abc import Callable


def eventually(condition: Callable[[], bool], *, within: float = 30.0, what: str = "") -> None:
    """Return once `condition()` holds; fail the test if it still does not after `within` s.

    From async code, run it in a thread (`await asyncio.to_thread(eventually, ...)`) so the
    event loop keeps running whatever is being waited for.
    """
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:g} s: {what or 'the condition'}")
        time.sleep(0.05)
