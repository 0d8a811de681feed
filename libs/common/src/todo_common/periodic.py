"""Housekeeping on a timer inside a service (purges), as a `create_app` background task."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

logger = logging.getLogger(__name__)

# How often each service purges what has expired (refresh tokens, idempotency keys): often
# enough that expired rows cost little space, rarely enough to cost nothing else.
HOUSEKEEPING_INTERVAL_SECONDS = 3600


def every(seconds: float, job: Callable[[FastAPI], None]) -> Callable[[FastAPI], Awaitable[None]]:
    """A background task that runs the blocking `job(app)` in a thread every `seconds`.

    A failing run is logged and the next one still happens: housekeeping must not stop
    because the database was briefly away.
    """

    async def run_periodically(app: FastAPI) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await run_in_threadpool(job, app)
            except Exception:
                logger.exception("periodic job %s failed", getattr(job, "__name__", job))

    run_periodically.__name__ = f"every_{seconds:g}s_{getattr(job, '__name__', 'job')}"
    return run_periodically
