"""What Traefik makes of gateway/dynamic.yml: its templates rendered from the environment.

Starts the real traefik binary with no services behind it and reads the configuration it
loaded from its API on the operations port.
"""

import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.gateway import GatewayPorts, gateway_process, render_static_config, traefik_binary
from devstack.processes import ManagedProcess
from todo_common.platform import SERVICES
from todo_common.ports import free_ports

ROUTERS = {
    "auth-credentials-cors",
    "auth-credentials",
    "auth-cors",
    "auth",
    "users-cors",
    "users",
    "todos-cors",
    "todos",
    "gateway-deny",
    "gateway-fallback-cors",
    "gateway-fallback",
}


class RunningTraefik:
    def __init__(self, ports: GatewayPorts, process: ManagedProcess) -> None:
        self.ports = ports
        self.process = process

    @property
    def raw(self) -> dict[str, Any]:
        document: dict[str, Any] = httpx.get(f"{self.ports.ops_url}/api/rawdata", timeout=5).json()
        return document

    def middleware(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.raw["middlewares"][f"{name}@file"]
        return found


@pytest.fixture(scope="module")
def traefik() -> Path:
    return traefik_binary()


@pytest.fixture
def start_traefik(
    traefik: Path, tmp_path: Path
) -> Iterator[Callable[[Mapping[str, str]], RunningTraefik]]:
    started: list[ManagedProcess] = []

    def start(environment: Mapping[str, str]) -> RunningTraefik:
        web, tls, ops = free_ports(3)
        ports = GatewayPorts(web=web, tls=tls, ops=ops)
        config = render_static_config(ports, tmp_path, tmp_path)
        # Only what the test names: no AUTH_URL etc. leaking in from the shell.
        process = gateway_process(
            traefik, config, {"PATH": "/usr/bin:/bin", **environment}, tmp_path
        )
        started.append(process)
        process.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{ports.ops_url}/api/rawdata", timeout=1).status_code == 200:
                    running = RunningTraefik(ports, process)
                    if len(running.raw.get("routers", {})) > len(ROUTERS):
                        return running
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        pytest.fail(f"traefik did not load its configuration:\n{process.log_tail()}")

    yield start
    for process in started:
        process.stop()


class TestDefaults:
    def test_every_router_and_service_is_enabled_without_errors(
        self, start_traefik: Callable[[Mapping[str, str]], RunningTraefik]
    ) -> None:
        raw = start_traefik({}).raw

        routers = {name.removesuffix("@file"): r for name, r in raw["routers"].items()}
        for name in ROUTERS:
            assert routers[name]["status"] == "enabled", routers[name]
            assert "error" not in routers[name]
            # Traefik makes a TLS twin of each router for the websecure entry point.
            assert routers[f"websecure-{name}"]["status"] == "enabled"
        for name in (*SERVICES, "gateway-errors"):
            assert raw["services"][f"{name}@file"]["status"] == "enabled"

    def test_defaults_match_the_documented_ones(
        self, start_traefik: Callable[[Mapping[str, str]], RunningTraefik]
    ) -> None:
        gateway = start_traefik({})
        raw = gateway.raw

        assert gateway.middleware("auth-rate-limit")["rateLimit"] == {
            "average": 10,
            "period": "1m0s",
            "burst": 10,
        }
        assert gateway.middleware("body-limit")["buffering"]["maxRequestBodyBytes"] == 1048576
        assert gateway.middleware("gateway-errors")["errors"]["query"] == (
            "/gateway-errors/{status}?url={url}&retry_after=6&max_body_bytes=1048576"
        )
        assert gateway.middleware("cors")["headers"]["accessControlAllowOriginListRegex"] == [
            "^(http://localhost:3000|http://localhost:5173)$"
        ]
        servers = raw["services"]["gateway-errors@file"]["loadBalancer"]["servers"]
        assert [server["url"] for server in servers] == [
            "http://127.0.0.1:8001",
            "http://127.0.0.1:8002",
            "http://127.0.0.1:8003",
        ]


class TestFromTheEnvironment:
    def test_upstreams_limits_and_origins_follow_the_environment(
        self, start_traefik: Callable[[Mapping[str, str]], RunningTraefik]
    ) -> None:
        gateway = start_traefik(
            {
                "TODOS_URL": "http://todos:8003",
                # The JSON form the services accept works here too.
                "CORS_ORIGINS": '["https://app.example.com", "http://localhost:5173"]',
                "GATEWAY_AUTH_RATE_AVERAGE": "7",
                "GATEWAY_AUTH_RATE_PERIOD_SECONDS": "60",
                "GATEWAY_AUTH_RATE_BURST": "3",
                "GATEWAY_MAX_BODY_BYTES": "2097152",
            }
        )
        raw = gateway.raw

        todos = raw["services"]["todos@file"]["loadBalancer"]["servers"]
        assert todos == [{"url": "http://todos:8003"}]
        assert gateway.middleware("auth-rate-limit")["rateLimit"]["burst"] == 3
        # 60 s / 7 requests = 8.6 s until the next token: Retry-After rounds up.
        assert "retry_after=9&" in gateway.middleware("gateway-errors")["errors"]["query"]
        assert gateway.middleware("body-limit")["buffering"]["maxRequestBodyBytes"] == 2097152
        assert gateway.middleware("cors")["headers"]["accessControlAllowOriginListRegex"] == [
            r"^(https://app\.example\.com|http://localhost:5173)$"
        ]

    def test_the_origin_list_is_matched_exactly(
        self, start_traefik: Callable[[Mapping[str, str]], RunningTraefik]
    ) -> None:
        gateway = start_traefik({"CORS_ORIGINS": "https://app.example.com"})

        def preflight(origin: str) -> httpx.Response:
            return httpx.options(
                f"{gateway.ports.url}/api/v1/todos",
                headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
                timeout=5,
            )

        granted = preflight("https://app.example.com")
        assert granted.status_code == 200
        assert granted.headers["access-control-allow-origin"] == "https://app.example.com"
        for other in ("https://appXexample.com", "https://app.example.com.evil.io"):
            assert "access-control-allow-origin" not in preflight(other).headers
