"""Every YAML file of the repository parses (gateway files after Traefik's templating)."""

import subprocess

import pytest
import yaml
from rendering import REPO_ROOT
from traefik_routing import render_templates


def tracked_yaml_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.yml", "*.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(set(listed.stdout.split()))


def test_the_deploy_files_are_found():
    files = tracked_yaml_files()
    assert "docker-compose.yml" in files
    assert "k8s/base/kustomization.yaml" in files
    assert "k8s/overlays/prod/kustomization.yaml" in files


@pytest.mark.parametrize("path", tracked_yaml_files())
def test_parses(path):
    text = (REPO_ROOT / path).read_text()
    if path.startswith("gateway/"):
        text = render_templates(text)
    documents = [document for document in yaml.safe_load_all(text) if document is not None]
    assert documents, f"{path} is empty"
    for document in documents:
        assert isinstance(document, dict), path
