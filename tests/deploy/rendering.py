"""What the deploy checks share: the repository's layout and kustomize's rendered objects."""

import subprocess
from pathlib import Path
from typing import Any

import yaml

from todo_common.platform import SERVICE_PORTS

__all__ = ["OVERLAYS", "REPO_ROOT", "SERVICE_PORTS", "Manifest", "render"]

REPO_ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ("dev", "prod")

Manifest = dict[str, Any]


def render(kustomize: Path, overlay: str) -> list[Manifest]:
    """`kustomize build k8s/overlays/<overlay>`, parsed."""
    completed = subprocess.run(
        [str(kustomize), "build", str(REPO_ROOT / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"kustomize build {overlay} failed:\n{completed.stderr}"
    return [doc for doc in yaml.safe_load_all(completed.stdout) if doc]


def of_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [item for item in manifests if item["kind"] == kind]


def named(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [item for item in of_kind(manifests, kind) if item["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]
