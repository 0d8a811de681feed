"""One wrk run: the command, its environment, and the summary its Lua `done` prints."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench import HERE

LUA_DIR = HERE / "lua"
RESULT_MARKER = "BENCH_RESULT "


@dataclass(frozen=True)
class LoadResult:
    requests: int
    duration_seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    status_errors: int
    """Responses with a status of 400 or above (wrk counts no other kind)."""
    socket_errors: int
    """Connect, read and write errors and timeouts."""

    @property
    def rps(self) -> float:
        return self.requests / self.duration_seconds if self.duration_seconds else 0.0

    @property
    def errors(self) -> int:
        return self.status_errors + self.socket_errors


def run_wrk(
    wrk: Path,
    *,
    script: str,
    url: str,
    concurrency: int,
    threads: int,
    seconds: int,
    variables: dict[str, str],
) -> LoadResult:
    threads = min(threads, concurrency)
    command = [
        str(wrk),
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_DIR / script),
        url,
    ]
    environment = {
        **os.environ,
        **variables,
        "BENCH_LUA_DIR": str(LUA_DIR),
        "BENCH_THREADS": str(threads),
    }
    completed = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False
    )
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return _parse(json.loads(line.removeprefix(RESULT_MARKER)))
    raise RuntimeError(
        f"wrk {script} gave no result (exit {completed.returncode}):\n"
        f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
    )


def _parse(summary: dict[str, int]) -> LoadResult:
    return LoadResult(
        requests=summary["requests"],
        duration_seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p90_ms=summary["p90_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        max_ms=summary["max_us"] / 1000,
        status_errors=summary["status_errors"],
        socket_errors=summary["connect_errors"]
        + summary["read_errors"]
        + summary["write_errors"]
        + summary["timeouts"],
    )
