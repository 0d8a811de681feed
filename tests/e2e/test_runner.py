"""`make run` itself: what it prints, a second run, and stopping without leftovers."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from devstack import ROOT
from tests.commands import run
from todo_common.ports import free_ports

READY_LINE = "Press Ctrl-C to stop everything"


class Output:
    """Everything the runner prints, read by a thread so the test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.text = ""
        self._reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:
                self.text += line

    def finish(self) -> None:
        """Once the process has exited: the rest of its output, and the pipe closed."""
        self._reader.join(timeout=10)

    def wait_for(self, marker: str, process: subprocess.Popen[str], timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while marker not in self.text:
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError(f"no {marker!r} from make run; it said:\n{self.text}")
            time.sleep(0.1)
        return self.text


def alive(pid: int) -> bool:
    try:
        status = str(psutil.Process(pid).status())
    except psutil.NoSuchProcess:
        return False
    return bool(status != psutil.STATUS_ZOMBIE)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_make_run_serves_refuses_a_second_run_and_stops_every_child(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    web, tls, ops, auth, users, todos, app = free_ports(7)
    environment = {
        **os.environ,
        "TODO_DATA_DIR": str(tmp_path / "data"),
        "GATEWAY_PORT": str(web),
        "GATEWAY_TLS_PORT": str(tls),
        "GATEWAY_OPS_PORT": str(ops),
        "AUTH_PORT": str(auth),
        "USERS_PORT": str(users),
        "TODOS_PORT": str(todos),
        "FRONTEND_PORT": str(app),
    }
    environment.pop("DATABASE_URL", None)
    command = [sys.executable, "scripts/run_stack.py"]
    runner = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(runner)
    try:
        printed = output.wait_for(READY_LINE, runner)
        docs = f"http://localhost:{web}/api/v1/todos/docs"
        assert docs in printed
        assert f"http://localhost:{ops}/metrics" in printed
        assert httpx.get(docs.replace("localhost", "127.0.0.1"), timeout=10).status_code == 200
        # The app's address comes first, and its page is served.
        running = printed.split("The Todo platform is running:", 1)[1]
        assert running.strip().splitlines()[0].split()[-1] == f"http://localhost:{app}"
        page = httpx.get(f"http://127.0.0.1:{app}/", timeout=10)
        assert page.status_code == 200
        assert '<div id="root">' in page.text

        children = [child.pid for child in psutil.Process(runner.pid).children(recursive=True)]
        postmaster = tmp_path / "data" / "postgres" / "postmaster.pid"
        postgres_pid = int(postmaster.read_text().split()[0])
        assert len(children) >= 3  # todos, traefik and the app's server, at least

        second = run(command, cwd=ROOT, env=environment, timeout=60, check=False)
        assert second.returncode == 1
        assert "already running" in second.stdout

        runner.send_signal(stop_signal)
        assert runner.wait(timeout=60) == 0
    finally:
        if runner.poll() is None:
            # Stop it the way a user would, so it still stops its children.
            runner.send_signal(signal.SIGINT)
            runner.wait(timeout=60)
        output.finish()

    assert "[run] stopped" in output.text
    assert [pid for pid in [*children, postgres_pid] if alive(pid)] == []
    for port in (web, app):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
