"""The browser app (frontend/) as a local process: built when its sources changed, then its
production build served by `vite preview`, like any other part of the stack.

The gateway's address is fixed into the build (VITE_API_URL), so a build is kept per
address, with a stamp of what it was built from; `make frontend-install` (a prerequisite of
`make run` and the frontend tests) provides frontend/node_modules from the lockfile.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack import ROOT, processes
from devstack.processes import ManagedProcess, StartupError, answers_ok

FRONTEND_DIR = ROOT / "frontend"
VITE = FRONTEND_DIR / "node_modules" / ".bin" / "vite"
TSC = FRONTEND_DIR / "node_modules" / ".bin" / "tsc"
# What a build is made from: a change to any of these (or to the API URL) rebuilds.
BUILD_INPUTS = ("index.html", "package-lock.json", "tsconfig.json", "vite.config.ts", "src")
STAMP_NAME = ".build-stamp"


@dataclass(frozen=True)
class FrontendSettings:
    port: int
    api_url: str
    """The gateway as the browser reaches it; the page's origin must be in CORS_ORIGINS."""
    build_dir: Path

    @property
    def url(self) -> str:
        # localhost, like api_url: the refresh-token cookie is SameSite=Strict, and
        # localhost and 127.0.0.1 are different sites to a browser.
        return f"http://localhost:{self.port}"

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def source_fingerprint(api_url: str) -> str:
    digest = hashlib.sha256(f"VITE_API_URL={api_url}\n".encode())
    for name in BUILD_INPUTS:
        path = FRONTEND_DIR / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(FRONTEND_DIR)).encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def build(
    settings: FrontendSettings,
    log_dir: Path,
    say: Callable[[str], None],
    environment: Mapping[str, str] | None = None,
) -> None:
    """Type-check and build into `settings.build_dir`, unless its build is already current."""
    if not VITE.exists():
        raise StartupError(
            "frontend", "frontend/node_modules is missing: run `make frontend-install`"
        )
    fingerprint = source_fingerprint(settings.api_url)
    stamp = settings.build_dir / STAMP_NAME
    if stamp.exists() and stamp.read_text() == fingerprint:
        say(f"frontend build is current ({settings.build_dir})")
        return
    say(f"building the frontend for {settings.api_url}")
    log = log_dir / "frontend-build.log"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**(environment or os.environ), "VITE_API_URL": settings.api_url}
    with log.open("ab") as output:
        for command in (
            [str(TSC), "--noEmit", "-p", "."],
            [str(VITE), "build", "--outDir", str(settings.build_dir), "--emptyOutDir"],
        ):
            result = subprocess.run(
                command, cwd=FRONTEND_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
            )
            if result.returncode != 0:
                raise StartupError("frontend build", f"{command[0]} failed", log)
    stamp.write_text(fingerprint)


def frontend_process(
    settings: FrontendSettings, environment: Mapping[str, str], log_dir: Path
) -> ManagedProcess:
    return ManagedProcess(
        name="frontend",
        command=[
            str(VITE),
            "preview",
            "--host",
            "127.0.0.1",
            "--port",
            str(settings.port),
            "--strictPort",
            "--outDir",
            str(settings.build_dir),
        ],
        log=log_dir / "frontend.log",
        environment=environment,
        cwd=FRONTEND_DIR,
    )


def wait_until_ready(
    settings: FrontendSettings, process: ManagedProcess, timeout: float = 30
) -> None:
    processes.wait_until_ready("frontend", process, lambda: answers_ok(settings.local_url), timeout)
