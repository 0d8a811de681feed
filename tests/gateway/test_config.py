"""gateway/: the files parse, and every router carries the middlewares its path needs.

The dynamic file is read as plain YAML here (its Go template actions sit in comments and
quoted strings); test_rendering.py checks what Traefik makes of it.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "gateway" / "traefik.yml"
DYNAMIC = ROOT / "gateway" / "dynamic.yml"
SERVICES = ("auth", "users", "todos")
PUBLIC_ENTRY_POINTS = ["web", "websecure"]


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def static() -> dict[str, Any]:
    return load(STATIC)


@pytest.fixture(scope="module")
def http() -> dict[str, Any]:
    section: dict[str, Any] = load(DYNAMIC)["http"]
    return section


@pytest.fixture(scope="module")
def routers(http: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = http["routers"]
    return found


def api_routers(routers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in routers.items() if r["service"] in SERVICES}


class TestStaticConfiguration:
    def test_listens_on_loopback_only(self, static: dict[str, Any]) -> None:
        addresses = {name: ep["address"] for name, ep in static["entryPoints"].items()}

        assert addresses == {
            "web": "127.0.0.1:8080",
            "websecure": "127.0.0.1:8443",
            "traefik": "127.0.0.1:8082",
        }

    def test_only_websecure_terminates_tls(self, static: dict[str, Any]) -> None:
        entry_points = static["entryPoints"]

        assert entry_points["websecure"]["http"]["tls"] == {}
        assert "http" not in entry_points["web"]

    def test_ping_metrics_and_api_are_on_the_operations_entry_point(
        self, static: dict[str, Any]
    ) -> None:
        assert static["ping"]["entryPoint"] == "traefik"
        assert static["metrics"]["prometheus"]["entryPoint"] == "traefik"
        assert static["api"]["dashboard"] is False

    def test_routes_come_from_the_dynamic_file(self, static: dict[str, Any]) -> None:
        assert static["providers"] == {"file": {"filename": "gateway/dynamic.yml", "watch": False}}

    def test_access_log_is_json_and_drops_credentials(self, static: dict[str, Any]) -> None:
        access_log = static["accessLog"]

        assert access_log["format"] == "json"
        assert access_log["fields"]["headers"]["defaultMode"] == "drop"
        assert "Authorization" not in access_log["fields"]["headers"]["names"]
        assert static["log"]["format"] == "json"


class TestRouters:
    def test_every_service_has_a_plain_and_a_cors_router_for_its_prefix(
        self, routers: dict[str, dict[str, Any]]
    ) -> None:
        for service in SERVICES:
            prefix = f"/api/v1/{service}"
            plain, cors = routers[service], routers[f"{service}-cors"]

            assert plain["rule"] == f"Path(`{prefix}`) || PathPrefix(`{prefix}/`)"
            assert cors["rule"].startswith(f"({plain['rule']}) && HeaderRegexp(`Origin`, ")
            assert plain["service"] == cors["service"] == service

    def test_every_router_serves_the_public_entry_points_only(
        self, routers: dict[str, dict[str, Any]]
    ) -> None:
        for name, router in routers.items():
            assert router["entryPoints"] == PUBLIC_ENTRY_POINTS, name

    def test_every_api_router_has_the_gateway_middlewares_in_order(
        self, routers: dict[str, dict[str, Any]]
    ) -> None:
        for name, router in api_routers(routers).items():
            expected = ["security-headers", "compress", "gateway-errors", "body-limit"]
            if name.endswith("-cors"):
                expected.insert(1, "cors")
            if name.startswith("auth-credentials"):
                # Inside gateway-errors, so its 429 becomes problem+json; before the body
                # limit, so a flood is refused before its bodies are buffered.
                expected.insert(expected.index("body-limit"), "auth-rate-limit")

            assert router["middlewares"] == expected, name

    def test_cors_is_applied_only_where_the_origin_is_allowed(
        self, routers: dict[str, dict[str, Any]]
    ) -> None:
        for name, router in routers.items():
            has_cors = "cors" in router["middlewares"]
            matches_origin = "HeaderRegexp(`Origin`," in router["rule"]

            assert has_cors == matches_origin == name.endswith("-cors"), name

    def test_only_login_and_register_are_rate_limited(
        self, routers: dict[str, dict[str, Any]]
    ) -> None:
        limited = {name for name, r in routers.items() if "auth-rate-limit" in r["middlewares"]}
        paths = set(re.findall(r"Path\(`([^`]+)`\)", routers["auth-credentials"]["rule"]))

        assert limited == {"auth-credentials", "auth-credentials-cors"}
        assert paths == {
            "/api/v1/auth/login",
            "/api/v1/auth/login/",
            "/api/v1/auth/register",
            "/api/v1/auth/register/",
        }

    def test_priorities_put_deny_over_credentials_over_services_over_fallback(
        self, routers: dict[str, dict[str, Any]]
    ) -> None:
        priority = {name: router["priority"] for name, router in routers.items()}

        assert priority["gateway-deny"] > priority["auth-credentials-cors"]
        assert priority["auth-credentials"] > max(priority[s + "-cors"] for s in SERVICES)
        assert min(priority[s] for s in SERVICES) > priority["gateway-fallback-cors"]
        assert priority["gateway-fallback-cors"] > priority["gateway-fallback"]
        for service in SERVICES:
            assert priority[f"{service}-cors"] > priority[service]

    def test_unrouted_paths_go_to_the_404_page(self, routers: dict[str, dict[str, Any]]) -> None:
        for name in ("gateway-deny", "gateway-fallback", "gateway-fallback-cors"):
            assert routers[name]["service"] == "gateway-errors"
            assert routers[name]["middlewares"][-1] == "gateway-not-found"
        assert routers["gateway-fallback"]["rule"] == "PathPrefix(`/`)"
        for hidden in ("internal", "healthz", "readyz", "metrics"):
            assert hidden in routers["gateway-deny"]["rule"]


class TestMiddlewaresAndServices:
    def test_every_reference_resolves(self, http: dict[str, Any]) -> None:
        for name, router in http["routers"].items():
            assert router["service"] in http["services"], name
            for middleware in router["middlewares"]:
                assert middleware in http["middlewares"], (name, middleware)
        assert http["middlewares"]["gateway-errors"]["errors"]["service"] in http["services"]

    def test_errors_catch_only_what_the_gateway_itself_answers(self, http: dict[str, Any]) -> None:
        errors = http["middlewares"]["gateway-errors"]["errors"]

        # Services render their own 4xx/500 as problem+json with a useful detail.
        assert errors["status"] == ["413", "429", "502-504"]
        assert errors["query"].startswith("/gateway-errors/{status}?url={url}&retry_after=")

    def test_security_headers_send_hsts_on_tls_only(self, http: dict[str, Any]) -> None:
        headers = http["middlewares"]["security-headers"]["headers"]

        assert headers["contentTypeNosniff"] is True
        assert headers["frameDeny"] is True
        assert headers["referrerPolicy"] == "no-referrer"
        assert headers["stsSeconds"] > 0
        assert headers.get("forceSTSHeader", False) is False

    def test_cors_exposes_what_the_frontend_reads_with_credentials(
        self, http: dict[str, Any]
    ) -> None:
        cors = http["middlewares"]["cors"]["headers"]

        assert {"ETag", "Location", "X-Request-ID"} <= set(cors["accessControlExposeHeaders"])
        assert "X-Refresh-Token-Transport" in cors["accessControlAllowHeaders"]
        # Credentials (the refresh-token cookie) for the exact-match origins only.
        assert cors["accessControlAllowCredentials"] is True
        assert cors["accessControlAllowOriginListRegex"] == ["{{ $originPattern }}"]

    def test_services_are_health_checked_on_readiness_error_pages_on_liveness(
        self, http: dict[str, Any]
    ) -> None:
        services = http["services"]
        for service in SERVICES:
            balancer = services[service]["loadBalancer"]
            assert balancer["healthCheck"]["path"] == "/readyz"
            assert balancer["servers"] == [{"url": f"{{{{ ${service}URL }}}}"}]
        pool = services["gateway-errors"]["loadBalancer"]
        assert pool["healthCheck"]["path"] == "/healthz"
        assert pool["servers"] == [{"url": f"{{{{ ${s}URL }}}}"} for s in SERVICES]

    def test_upstreams_come_from_the_environment(self) -> None:
        text = DYNAMIC.read_text()

        for service in SERVICES:
            assert f'{{{{ ${service}URL := env "{service.upper()}_URL"' in text


class TestReadme:
    def test_lists_the_gateway_urls(self) -> None:
        readme = (ROOT / "README.md").read_text()

        assert "http://localhost:8080" in readme
        assert "http://localhost:8082/metrics" in readme
        for service in SERVICES:
            assert f"http://localhost:8080/api/v1/{service}/docs" in readme
