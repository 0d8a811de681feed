"""`every`: housekeeping that repeats, and keeps repeating when one run fails."""

import asyncio
import threading

import pytest
from fastapi import FastAPI

from todo_common.periodic import every

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def run_until(task: asyncio.Task[None], done: threading.Event) -> bool:
    finished = await asyncio.to_thread(done.wait, 5)
    task.cancel()
    return finished


async def test_the_job_runs_again_and_again_in_a_worker_thread() -> None:
    app = FastAPI()
    runs: list[tuple[FastAPI, bool]] = []
    third_run = threading.Event()

    def job(received: FastAPI) -> None:
        runs.append((received, threading.current_thread() is threading.main_thread()))
        if len(runs) == 3:
            third_run.set()

    assert await run_until(asyncio.create_task(every(0.01, job)(app)), third_run)
    assert all(received is app for received, _ in runs)
    assert not any(on_main_thread for _, on_main_thread in runs)


async def test_a_failing_run_is_logged_and_the_next_one_still_happens(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attempts: list[int] = []
    second_run = threading.Event()

    def flaky(_: FastAPI) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database briefly away")
        second_run.set()

    assert await run_until(asyncio.create_task(every(0.01, flaky)(FastAPI())), second_run)
    assert "periodic job flaky failed" in caplog.text
