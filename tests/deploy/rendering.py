"""What the deploy checks share: the repository's layout and kustomize's rendered objects."""

from pathlib import Path
from typing import Any

import yaml

from tests.commands import REPO_ROOT, run

OVERLAYS = ("dev", "prod")

Manifest = dict[str, Any]


def render(kustomize: Path, overlay: str) -> list[Manifest]:
    """`kustomize build k8s/overlays/<overlay>`, parsed."""
    completed = run(
        [str(kustomize), "build", str(REPO_ROOT / "k8s" / "overlays" / overlay)], timeout=120
    )
    return [doc for doc in yaml.safe_load_all(completed.stdout) if doc]


def of_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [item for item in manifests if item["kind"] == kind]


def named(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [item for item in of_kind(manifests, kind) if item["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]
