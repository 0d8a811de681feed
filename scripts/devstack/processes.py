"""Child processes the stack starts: logged to a file, stopped by PID, never left behind."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Linux: if the runner itself is killed (even with SIGKILL), the kernel sends the child
    # SIGTERM, so no service or gateway outlives it.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class StartupError(Exception):
    """A part of the stack did not start; `part` names it, `reason` says why."""

    def __init__(self, part: str, reason: str, log: Path | None = None) -> None:
        super().__init__(f"{part}: {reason}")
        self.part = part
        self.reason = reason
        self.log = log


@dataclass
class ManagedProcess:
    """One child: its own session (so a terminal's Ctrl-C reaches only the runner, which then
    stops children in order), output appended to `log`."""

    name: str
    command: Sequence[str]
    log: Path
    environment: Mapping[str, str]
    cwd: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            self._process = subprocess.Popen(
                list(self.command),
                cwd=self.cwd,
                env=dict(self.environment),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def exit_code(self) -> int | None:
        """None while running (or never started)."""
        return self._process.poll() if self._process else None

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 10) -> bool:
        """SIGTERM, then SIGKILL after `timeout` seconds. True if it had to be killed."""
        process = self._process
        if process is None or process.poll() is not None:
            return False
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return True
        return False

    def log_tail(self, lines: int = 20) -> str:
        return tail(self.log.read_text(errors="replace") if self.log.exists() else "", lines)


def tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def wait_until_ready(
    part: str, process: ManagedProcess, unmet: Callable[[], str | None], timeout: float
) -> None:
    """Poll `unmet` (what `part` is still waiting for, None once ready) while `process` runs.

    A request that fails (not listening yet, a reset) is one more try, not a failure.
    """
    deadline = time.monotonic() + timeout
    waiting_for: str | None = "a first answer"
    while time.monotonic() < deadline:
        if not process.is_running():
            raise StartupError(part, f"exited with code {process.exit_code}", process.log)
        try:
            waiting_for = unmet()
        except httpx.HTTPError:
            pass
        else:
            if waiting_for is None:
                return
        time.sleep(0.2)
    raise StartupError(
        part,
        f"not ready after {timeout:.0f} s, waiting for {waiting_for}: {process.log_tail()}",
        process.log,
    )


def answers_ok(url: str) -> str | None:
    """None when `url` answers 200, else what is awaited (for `wait_until_ready`)."""
    return None if httpx.get(url, timeout=2).status_code == 200 else f"200 from {url}"


def provided_by(script: Path, what: str, timeout: float | None = None) -> Path:
    """What an install script (scripts/install_*.sh) provides: the last line of its stdout.

    Its progress goes to stderr, left uncaptured so that a long first build shows.
    """
    result = subprocess.run(
        ["bash", str(script)], stdout=subprocess.PIPE, text=True, timeout=timeout, check=False
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise StartupError(what, f"{script.name} could not provide it (its messages are above)")
    return Path(lines[-1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def environment_with(overrides: Mapping[str, str]) -> dict[str, str]:
    return {**os.environ, **overrides}
