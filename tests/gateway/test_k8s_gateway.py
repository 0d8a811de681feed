"""k8s/base/gateway/ is generated from gateway/dynamic.yml (scripts/k8s_gateway.py,
`make k8s-gateway`) with the real traefik; the committed files must be what it generates."""

from pathlib import Path

import pytest

import k8s_gateway
from devstack.gateway import DYNAMIC_CONFIG, traefik_binary


@pytest.fixture(scope="module")
def traefik() -> Path:
    return traefik_binary()


def test_the_committed_files_are_what_dynamic_yml_generates(traefik: Path) -> None:
    generated = k8s_gateway.generate(k8s_gateway.loaded_configuration(traefik))

    assert k8s_gateway.stale_files(generated) == [], "stale: run `make k8s-gateway`"


def test_a_change_to_dynamic_yml_makes_them_stale(traefik: Path, tmp_path: Path) -> None:
    # A different default body limit in the gateway: the Middleware must follow it.
    variant = tmp_path / "dynamic.yml"
    text = DYNAMIC_CONFIG.read_text()
    assert 'default "1048576"' in text
    variant.write_text(text.replace('default "1048576"', 'default "2097152"'))

    generated = k8s_gateway.generate(k8s_gateway.loaded_configuration(traefik, variant))

    assert "maxRequestBodyBytes: 2097152" in generated["middlewares.yaml"]
    assert "max_body_bytes=2097152" in generated["middlewares.yaml"]
    assert k8s_gateway.stale_files(generated) == ["middlewares.yaml"]
