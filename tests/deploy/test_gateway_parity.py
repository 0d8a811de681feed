"""Kubernetes routes like the gateway: k8s/base/gateway mirrors gateway/dynamic.yml.

gateway/dynamic.yml is the single source of routing truth (docs/architecture.md). Each
overlay's IngressRoutes must answer every sample request (path and Origin) exactly as the
real traefik does with gateway/dynamic.yml rendered for that overlay's allowed origins:
the same upstream servers, kept in rotation by the same check, through a middleware chain
that does the same things in the same order.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.rendering import REPO_ROOT, SERVICE_PORTS, Manifest
from tests.deploy.traefik_routing import (
    TEMPLATE_ENVIRONMENT,
    Routing,
    Upstream,
    allowed_origins,
    load_gateway,
    load_ingressroutes,
    matches,
    render_gateway,
)

GATEWAY_DYNAMIC = REPO_ROOT / "gateway" / "dynamic.yml"
ONE_MIB = 1024 * 1024

# Sample requests: every prefix with and without a trailing slash, the rate-limited
# endpoints, near misses of a prefix, and paths the gateway must not route.
SAMPLE_PATHS = [
    *(f"/api/v1/{name}{suffix}" for name in SERVICE_PORTS for suffix in ("", "/", "/x/y")),
    "/api/v1/auth/login",
    "/api/v1/auth/login/",
    "/api/v1/auth/register",
    "/api/v1/auth/register/",
    "/api/v1/auth/login/x",
    "/api/v1/auth/refresh",
    "/api/v1/auth/.well-known/jwks.json",
    "/api/v1/auth/docs",
    "/api/v1/users/me",
    "/api/v1/todos/openapi.json",
    "/api/v1/todosx",
    "/api/v1/todos/internal/events",
    "/api/v1/users/healthz",
    "/api/v1/auth/readyz",
    "/api/v1/todos/metrics",
    "/api/v1/users/gateway-errors/503",
    "/internal/events",
    "/healthz",
    "/readyz",
    "/metrics",
    "/gateway-errors/502",
    "/",
    "/api/v1/other",
]
RATE_LIMITED = {
    "/api/v1/auth/login",
    "/api/v1/auth/login/",
    "/api/v1/auth/register",
    "/api/v1/auth/register/",
}
NOT_ROUTED = {
    "/api/v1/todosx",
    "/api/v1/todos/internal/events",
    "/api/v1/users/healthz",
    "/api/v1/auth/readyz",
    "/api/v1/todos/metrics",
    "/api/v1/users/gateway-errors/503",
    "/internal/events",
    "/healthz",
    "/readyz",
    "/metrics",
    "/gateway-errors/502",
    "/",
    "/api/v1/other",
}
# Under an API prefix, but hidden by the gateway's deny router (priority over every other
# route, CORS included): a 404 like an unknown path's, without CORS headers.
DENIED = {
    "/api/v1/todos/internal/events",
    "/api/v1/users/healthz",
    "/api/v1/auth/readyz",
    "/api/v1/todos/metrics",
    "/api/v1/users/gateway-errors/503",
}
# Every service renders the gateway's error pages; the pool is kept on liveness.
ERROR_PAGES = Upstream(
    tuple(sorted(f"{name}:{port}" for name, port in SERVICE_PORTS.items())), "/healthz"
)


def cors_pattern(manifests: list[Manifest]) -> str:
    [cors] = [
        item
        for item in manifests
        if item["kind"] == "Middleware" and item["metadata"]["name"] == "cors"
    ]
    [pattern] = cors["spec"]["headers"]["accessControlAllowOriginListRegex"]
    assert isinstance(pattern, str)
    return pattern


def sample_origins(origins: list[str]) -> list[str | None]:
    """No Origin, each allowed one, and origins an unanchored or unescaped pattern would let
    through."""
    first = origins[0]
    near_misses = [f"{first}.evil.example", f"https://evil.example/{first}"]
    if "." in first:
        near_misses.append(first.replace(".", "x"))
    return [None, *origins, "https://evil.example", *near_misses]


@pytest.fixture(scope="module")
def kubernetes_routing(rendered_overlays: dict[str, list[Manifest]]) -> dict[str, Routing]:
    return {name: load_ingressroutes(objects) for name, objects in rendered_overlays.items()}


@pytest.fixture(scope="module")
def overlay_origins(rendered_overlays: dict[str, list[Manifest]]) -> dict[str, list[str]]:
    return {
        name: allowed_origins(cors_pattern(objects)) for name, objects in rendered_overlays.items()
    }


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str], Routing]:
    """gateway/dynamic.yml (or a variant) as traefik loads it with these CORS_ORIGINS."""
    cache: dict[tuple[Path, str, str], Routing] = {}

    def load(dynamic: Path, origins: str) -> Routing:
        key = (dynamic, dynamic.read_text(), origins)
        if key not in cache:
            environment = {**TEMPLATE_ENVIRONMENT, "CORS_ORIGINS": origins}
            work_dir = tmp_path_factory.mktemp("traefik")
            cache[key] = load_gateway(render_gateway(dynamic, environment, work_dir))
        return cache[key]

    return load


@pytest.fixture(scope="module")
def gateway_routing(
    render: Callable[[Path, str], Routing], overlay_origins: dict[str, list[str]]
) -> dict[str, Routing]:
    """gateway/dynamic.yml rendered for each overlay's allowed origins."""
    return {
        name: render(GATEWAY_DYNAMIC, ",".join(origins))
        for name, origins in overlay_origins.items()
    }


class TestContract:
    """What DESIGN.md, API.md and docs/architecture.md ask of the gateway, checked on the
    Kubernetes form."""

    @pytest.mark.parametrize("path", SAMPLE_PATHS)
    def test_sample_request(self, kubernetes_routing, overlay_origins, overlay, path):
        allowed = overlay_origins[overlay]
        for origin in sample_origins(allowed):
            answer = kubernetes_routing[overlay].route(path, origin)
            assert answer is not None, f"{path} matches no route: Traefik's plain-text 404"
            upstream, chain = answer
            assert chain["headers.contentTypeNosniff"] is True
            assert chain["headers.frameDeny"] is True
            assert chain["headers.referrerPolicy"] == "no-referrer"
            assert chain["headers.stsSeconds"] >= 31536000
            assert chain["compress"] is True
            if origin in allowed and path not in DENIED:
                assert {"etag", "location", "x-request-id", "retry-after"} <= set(
                    chain["headers.accessControlExposeHeaders"]
                )
                assert chain.get("headers.accessControlAllowCredentials") is True
            else:
                # Any other origin gets no CORS headers at all.
                assert not [key for key in chain if key.startswith("headers.accessControl")]
            if path in NOT_ROUTED:
                assert upstream == ERROR_PAGES, (path, origin)
                assert chain["replacePath"] == repr([("path", "/gateway-errors/404")])
                assert "rateLimit" not in chain
                assert "errors" not in chain
                continue
            name = path.split("/")[3]
            assert upstream == Upstream((f"{name}:{SERVICE_PORTS[name]}",), "/readyz")
            assert chain["buffering.maxRequestBodyBytes"] == ONE_MIB
            status, query, error_pages = chain["errors"]
            assert status == ("413", "429", "502-504")
            assert query.startswith("/gateway-errors/{status}?url={url}&")
            assert error_pages == ERROR_PAGES
            if path in RATE_LIMITED:
                assert chain["rateLimit"] == (10, 60.0, 10, "None")
            else:
                assert "rateLimit" not in chain

    def test_development_allows_the_gateway_default_origins(self, overlay_origins):
        assert overlay_origins["dev"] == TEMPLATE_ENVIRONMENT["CORS_ORIGINS"].split(",")

    def test_production_allows_https_origins_only(self, overlay_origins):
        assert overlay_origins["prod"]
        assert all(origin.startswith("https://") for origin in overlay_origins["prod"])


class TestParityWithGatewayConfig:
    @pytest.mark.parametrize("path", SAMPLE_PATHS)
    def test_same_upstream_and_middlewares(
        self, kubernetes_routing, gateway_routing, overlay_origins, overlay, path
    ):
        gateway, kubernetes = gateway_routing[overlay], kubernetes_routing[overlay]
        differences = []
        for origin in sample_origins(overlay_origins[overlay]):
            expected, actual = gateway.route(path, origin), kubernetes.route(path, origin)
            if actual != expected:
                differences.append(f"Origin {origin}:\n  gateway {expected}\n  k8s     {actual}")
        assert not differences, f"{overlay} {path}\n" + "\n".join(differences)

    def test_the_gateway_was_read(self, gateway_routing, overlay):
        # Every router of gateway/dynamic.yml, its TLS twins left out.
        assert len(gateway_routing[overlay].routers) == 11


class TestRuleEvaluation:
    """The evaluator the comparison relies on, against Traefik's documented semantics."""

    @pytest.mark.parametrize(
        ("rule", "path", "origin", "expected"),
        [
            ("PathPrefix(`/api/v1/todos`)", "/api/v1/todos/1", None, True),
            ("PathPrefix(`/api/v1/todos`)", "/api/v1/users", None, False),
            ("Path(`/a`) || Path(`/b`)", "/b", None, True),
            ("Path(`/a`) && !Path(`/a`)", "/a", None, False),
            ("(Path(`/a`) || Path(`/b`)) && PathPrefix(`/a`)", "/b", None, False),
            ("PathRegexp(`^/api/v1/auth/(login|register)/?$`)", "/api/v1/auth/login/", None, True),
            ("PathRegexp(`^/api/v1/auth/(login|register)/?$`)", "/api/v1/auth/logins", None, False),
            ('Host("example.com") && Path("/a")', "/a", None, True),
            ("HeaderRegexp(`Origin`, `^(http://a\\.example)$`)", "/", "http://a.example", True),
            ("HeaderRegexp(`Origin`, `^(http://a\\.example)$`)", "/", "http://axexample", False),
            ("HeaderRegexp(`Origin`, `^(http://a\\.example)$`)", "/", None, False),
            ("PathPrefix(`/`) && HeaderRegexp(`Origin`, `a`)", "/x", "http://a", True),
        ],
    )
    def test_matches(self, rule, path, origin, expected):
        assert matches(rule, path, origin) is expected

    def test_unknown_matcher_is_an_error_not_a_pass(self):
        with pytest.raises(ValueError, match="Query"):
            matches("Query(`a`, `b`)", "/")

    def test_a_header_other_than_origin_is_an_error_not_a_pass(self):
        with pytest.raises(ValueError, match="Authorization"):
            matches("HeaderRegexp(`Authorization`, `.`)", "/")

    def test_origins_are_read_back_from_the_pattern(self):
        pattern = r"^(https://app\.example\.com|http://localhost:5173)$"
        assert allowed_origins(pattern) == ["https://app.example.com", "http://localhost:5173"]


def gateway_variant(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """gateway/dynamic.yml with its `http` section changed, its template definitions kept."""
    text = GATEWAY_DYNAMIC.read_text()
    definitions = [line for line in text.splitlines(keepends=True) if line.startswith("# {{")]
    document = yaml.safe_load(text)
    change(document["http"])
    variant = tmp_path / "dynamic.yml"
    variant.write_text("".join(definitions) + yaml.safe_dump(document, sort_keys=False))
    return variant


def differing_paths(kubernetes: Routing, gateway: Routing, origins: list[str]) -> set[str]:
    return {
        path
        for path in SAMPLE_PATHS
        for origin in sample_origins(origins)
        if kubernetes.route(path, origin) != gateway.route(path, origin)
    }


class TestGatewayLoader:
    """The comparison sees through a different layout, and sees any change that matters."""

    @pytest.fixture
    def development(self, kubernetes_routing, overlay_origins) -> tuple[Routing, list[str]]:
        return kubernetes_routing["dev"], overlay_origins["dev"]

    def test_chains_and_other_names_route_the_same(self, tmp_path, render, development):
        def regroup(http: dict[str, Any]) -> None:
            middlewares = http["middlewares"]
            middlewares["request-limits"] = middlewares.pop("body-limit")
            middlewares["api"] = {
                "chain": {
                    "middlewares": ["security-headers", "compress", "gateway-errors"],
                }
            }
            for router in http["routers"].values():
                names = [
                    "request-limits" if name == "body-limit" else name
                    for name in router["middlewares"]
                ]
                if names[:3] == ["security-headers", "compress", "gateway-errors"]:
                    names = ["api", *names[3:]]
                router["middlewares"] = names

        kubernetes, origins = development
        gateway = render(gateway_variant(tmp_path, regroup), ",".join(origins))
        assert differing_paths(kubernetes, gateway, origins) == set()

    @pytest.mark.parametrize(
        ("change", "affected"),
        [
            pytest.param(
                lambda http: http["middlewares"]["body-limit"]["buffering"].update(
                    maxRequestBodyBytes=2 * ONE_MIB
                ),
                "/api/v1/todos",
                id="body limit",
            ),
            pytest.param(
                lambda http: http["routers"]["todos"].update(
                    middlewares=["security-headers", "compress", "body-limit", "gateway-errors"]
                ),
                "/api/v1/todos",
                id="middleware order",
            ),
            pytest.param(
                lambda http: http["routers"]["auth-credentials-cors"]["middlewares"].remove(
                    "auth-rate-limit"
                ),
                "/api/v1/auth/login",
                id="rate limit",
            ),
            pytest.param(
                lambda http: http["middlewares"]["cors"]["headers"].update(accessControlMaxAge=60),
                "/api/v1/users",
                id="cors",
            ),
            pytest.param(
                lambda http: http["services"]["gateway-errors"]["loadBalancer"].update(
                    healthCheck={"path": "/readyz", "interval": "2s", "timeout": "1s"}
                ),
                "/healthz",
                id="error pages on readiness",
            ),
            pytest.param(
                lambda http: http["routers"]["gateway-deny"].update(priority=50),
                "/api/v1/todos/internal/events",
                id="deny priority",
            ),
        ],
    )
    def test_a_change_that_matters_is_a_difference(
        self, tmp_path, render, development, change, affected
    ):
        kubernetes, origins = development
        gateway = render(gateway_variant(tmp_path, change), ",".join(origins))
        assert affected in differing_paths(kubernetes, gateway, origins)
