"""Every YAML file of the repository parses.

gateway/dynamic.yml too: its Go template actions sit only in comments and quoted strings
(docs/architecture.md), so it is valid YAML before Traefik renders it; what Traefik makes of
it is checked by tests/gateway/test_rendering.py and test_gateway_parity.py.
"""

import subprocess

import pytest
import yaml

from tests.deploy.rendering import REPO_ROOT


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
    documents = [document for document in yaml.safe_load_all(text) if document is not None]
    assert documents, f"{path} is empty"
    for document in documents:
        assert isinstance(document, dict), path
