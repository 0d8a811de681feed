"""The real traefik reads each overlay's IngressRoutes and Middlewares from the API server.

Traefik's Kubernetes CRD provider watches the test cluster (as it would in namespace
`traefik`, with the Helm chart's permissions): every route must become an enabled router
with its middlewares resolved. No request is sent through it: no Pod runs behind the
Services (routing itself is tested on gateway/dynamic.yml, which these are generated from).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.gateway import traefik_binary
from devstack.processes import ManagedProcess
from tests.cluster.conftest import NAMESPACE, Deployed
from todo_common.ports import free_ports

PROVIDER = "@kubernetescrd"
LOAD_TIMEOUT_SECONDS = 60


class TraefikOnTheCluster:
    def __init__(self, ops_port: int, process: ManagedProcess) -> None:
        self.ops_url = f"http://127.0.0.1:{ops_port}"
        self.process = process

    def raw(self) -> dict[str, Any]:
        response = httpx.get(f"{self.ops_url}/api/rawdata", timeout=5)
        # Until Traefik has built its first configuration, its own API router does not exist
        # yet and the entry point answers a plain-text 404: not ready, rather than no routers.
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def routers(self) -> dict[str, dict[str, Any]]:
        return {
            name: router
            for name, router in self.raw().get("routers", {}).items()
            if name.endswith(PROVIDER)
        }


@pytest.fixture
def traefik(deployed: Deployed, tmp_path: Path) -> Iterator[TraefikOnTheCluster]:
    cluster = deployed.cluster
    web_port, websecure_port, ops_port = free_ports(3)
    # JSON is YAML: Traefik reads it as its static configuration.
    config = {
        "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
        "entryPoints": {
            "web": {"address": f"127.0.0.1:{web_port}"},
            "websecure": {"address": f"127.0.0.1:{websecure_port}"},
            "traefik": {"address": f"127.0.0.1:{ops_port}"},
        },
        "providers": {
            "kubernetesCRD": {
                "endpoint": cluster.server,
                "token": cluster.pki.token,
                "certAuthFilePath": str(cluster.pki.ca_cert),
                "namespaces": [NAMESPACE],
                # No Pod is ready behind the Services: keep their routers (answering 503)
                # instead of dropping them, so every route can be checked.
                "allowEmptyServices": True,
            }
        },
        "api": {"insecure": True, "dashboard": False},
        "log": {"level": "INFO", "format": "json"},
    }
    static = tmp_path / "traefik.yml"
    static.write_text(json.dumps(config))
    process = ManagedProcess(
        name="traefik",
        command=[str(traefik_binary()), f"--configfile={static}"],
        log=tmp_path / "traefik.log",
        environment={"PATH": "/usr/bin:/bin"},
    )
    process.start()
    try:
        yield TraefikOnTheCluster(ops_port, process)
    finally:
        process.stop()


def expected_routes(deployed: Deployed) -> list[dict[str, Any]]:
    return [
        rule
        for item in deployed.rendered()
        if item["kind"] == "IngressRoute"
        for rule in item["spec"]["routes"]
    ]


def test_every_route_becomes_an_enabled_router(deployed, traefik):
    routes = expected_routes(deployed)
    deadline = time.monotonic() + LOAD_TIMEOUT_SECONDS
    routers: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline and len(routers) < len(routes):
        assert traefik.process.is_running(), traefik.process.log_tail(40)
        with contextlib.suppress(httpx.HTTPError):
            routers = traefik.routers()
        time.sleep(0.5)
    log = traefik.process.log_tail(40)

    assert len(routers) == len(routes), log
    assert sorted((r["rule"], r["priority"]) for r in routers.values()) == sorted(
        (route["match"], route["priority"]) for route in routes
    )
    for name, router in routers.items():
        assert router["status"] == "enabled", (name, router.get("error"), log)
        assert "error" not in router, (name, router["error"])
    raw = traefik.raw()
    for name in {m for router in routers.values() for m in router.get("middlewares", [])}:
        middleware = raw["middlewares"][name]
        assert middleware["status"] == "enabled", (name, middleware.get("error"))
    if deployed.overlay == "prod":
        # HTTPS only, with the certificate from the Secret todo-api-tls.
        for router in routers.values():
            assert router["entryPoints"] == ["websecure"]
            assert "tls" in router
