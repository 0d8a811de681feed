"""Fixtures of the deploy checks: kustomize, and both overlays rendered once per run."""

from pathlib import Path

import pytest

from devstack.processes import provided_by
from tests.commands import REPO_ROOT
from tests.deploy.rendering import OVERLAYS, Manifest, render

pytest_plugins = ["todo_common.testing.fixtures"]


@pytest.fixture(scope="session")
def kustomize() -> Path:
    """The pinned kustomize, from the cache or built once with Go (scripts/install_kustomize.sh)."""
    return provided_by(REPO_ROOT / "scripts" / "install_kustomize.sh", "kustomize", timeout=900)


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
