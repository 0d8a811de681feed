"""Fixtures of the deploy checks: kustomize, and both overlays rendered once per run."""

import subprocess
from pathlib import Path

import pytest

from tests.deploy.rendering import OVERLAYS, REPO_ROOT, Manifest, render

pytest_plugins = ["todo_common.testing.fixtures"]


@pytest.fixture(scope="session")
def kustomize() -> Path:
    """The pinned kustomize, from the cache or built once with Go (scripts/install_kustomize.sh)."""
    completed = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "install_kustomize.sh")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, f"install_kustomize.sh failed:\n{completed.stderr}"
    return Path(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def rendered_overlays(kustomize: Path) -> dict[str, list[Manifest]]:
    return {overlay: render(kustomize, overlay) for overlay in OVERLAYS}


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def manifests(overlay: str, rendered_overlays: dict[str, list[Manifest]]) -> list[Manifest]:
    """Every object `kubectl apply -k k8s/overlays/<overlay>` would send."""
    return rendered_overlays[overlay]
