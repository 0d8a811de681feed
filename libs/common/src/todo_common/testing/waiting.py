"""Waiting, in a test, for what happens in the background: an event relay, a health check.

`eventually` fails the test at once; `holds_within` answers True or False, for a test that
must finish what it started (a load, an outage) before it asserts.
"""

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

ArgumentT = TypeVar("ArgumentT")
ResultT = TypeVar("ResultT")


def holds_within(
    condition: Callable[[], bool],
    *,
    within: float = 30.0,
    ignoring: tuple[type[Exception], ...] = (),
) -> bool:
    """True once `condition()` holds, False if it still does not after `within` seconds.

    A check that raises one of `ignoring` (say, httpx.HTTPError while a server restarts)
    counts as "not yet".
    """
    deadline = time.monotonic() + within
    while True:
        try:
            if condition():
                return True
        except ignoring:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def eventually(
    condition: Callable[[], bool],
    *,
    within: float = 30.0,
    what: str = "",
    ignoring: tuple[type[Exception], ...] = (),
) -> None:
    """Return once `condition()` holds; fail the test if it still does not after `within` s.

    From async code, run it in a thread (`await asyncio.to_thread(eventually, ...)`) so the
    event loop keeps running whatever is being waited for.
    """
    if not holds_within(condition, within=within, ignoring=ignoring):
        raise AssertionError(f"not within {within:g} s: {what or 'the condition'}")


def at_once(call: Callable[[ArgumentT], ResultT], arguments: Sequence[ArgumentT]) -> list[ResultT]:
    """`call` for each argument, each in its own thread, all released together.

    The threads wait at one barrier, so the calls really overlap in the service and the
    database (races on If-Match, retries of one Idempotency-Key).
    """
    start = threading.Barrier(len(arguments))

    def released(argument: ArgumentT) -> ResultT:
        start.wait(timeout=10)
        return call(argument)

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(released, arguments))
