"""Route sample requests the way Traefik would, through either form of our gateway config.

The gateway's dynamic configuration (gateway/dynamic.yml, Traefik's file provider) and the
Kubernetes IngressRoute/Middleware/Service objects (k8s/) reduce to the same thing: for a
request (its path and its Origin header), which servers serve it, what keeps a server in
rotation, and what the middleware chain does. Comparing those answers, rather than the YAML,
lets the two be written differently and still be checked for agreement.

gateway/dynamic.yml is a Go template (with sprig functions) that Traefik renders before it
parses it, so it is read the way tests/gateway/test_rendering.py reads it: the real traefik
binary loads it (started by scripts/devstack/gateway.py on free ports) and its API says what
it made of it. No second template engine to keep in step with Traefik's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from devstack.gateway import (
    GatewayPorts,
    gateway_process,
    render_static_config,
    traefik_binary,
)
from devstack.processes import ManagedProcess
from todo_common.embedded_postgres import free_port

# Values the gateway's `{{ env "..." }}` templates get, as in docker compose (the upstreams
# are the compose service names, which are also the Kubernetes Service names).
TEMPLATE_ENVIRONMENT = {
    "AUTH_URL": "http://auth:8001",
    "USERS_URL": "http://users:8002",
    "TODOS_URL": "http://todos:8003",
    "CORS_ORIGINS": "http://localhost:3000,http://localhost:5173",
}
# Headers whose values name HTTP headers or methods: compared without regard to case.
CASE_INSENSITIVE_LISTS = {
    "accessControlAllowHeaders",
    "accessControlAllowMethods",
    "accessControlExposeHeaders",
}
# Traefik's defaults, for settings one form may leave out.
DEFAULT_COMPRESS_ENCODINGS = ("br", "gzip", "zstd")
DEFAULT_COMPRESS_MIN_BYTES = 1024


@dataclass(frozen=True)
class Upstream:
    """Where requests go: each server as "name:port" (sorted), and the path whose answer
    keeps a server in rotation (a health check, or the pods' probe), None if nothing does."""

    servers: tuple[str, ...]
    checked_on: str | None


Answer = tuple[Upstream, dict[str, Any]]


@dataclass
class Router:
    name: str
    rule: str
    upstream: Upstream
    # Each {type: config}, chains expanded, an errors middleware's service as an Upstream.
    middlewares: list[dict[str, Any]]
    priority: int = 0

    @property
    def effective_priority(self) -> int:
        # Traefik v3: without an explicit priority, the longer rule wins.
        return self.priority or len(self.rule)

    def answer(self) -> Answer:
        return self.upstream, features(self.middlewares)


@dataclass
class Routing:
    routers: list[Router] = field(default_factory=list)

    def route(self, path: str, origin: str | None = None) -> Answer | None:
        """(upstream, what the middleware chain does) for a request to `path` with this
        Origin header (None: no Origin), or None when no router matches (Traefik's 404)."""
        matching = [router for router in self.routers if matches(router.rule, path, origin)]
        if not matching:
            return None
        best = max(router.effective_priority for router in matching)
        winners = [router for router in matching if router.effective_priority == best]
        answers = [router.answer() for router in winners]
        if any(answer != answers[0] for answer in answers[1:]):
            # Traefik's choice between equal priorities is not something to rely on.
            names = ", ".join(router.name for router in winners)
            raise ValueError(f"{path} (Origin {origin}): routers {names} tie at {best}")
        return answers[0]


# --- rules --------------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:(\|\||&&|!|\(|\)|,)|`([^`]*)`|\"((?:[^\"\\]|\\.)*)\"|(\w+))")


def matches(rule: str, path: str, origin: str | None = None) -> bool:
    """Evaluate a Traefik v3 rule for a request to `path` (any host, any method) with this
    Origin header (None: the request has none)."""
    tokens = tokenize(rule)
    position, result = _expression(tokens, 0, path, origin)
    if position != len(tokens):
        raise ValueError(f"cannot parse rule {rule!r}")
    return result


def tokenize(rule: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(rule.rstrip()):
        found = TOKEN.match(rule, position)
        if not found:
            raise ValueError(f"cannot parse rule {rule!r} at {position}")
        operator, backticked, quoted, word = found.groups()
        if operator:
            tokens.append(("op", operator))
        elif backticked is not None or quoted is not None:
            tokens.append(("str", backticked if backticked is not None else quoted))
        else:
            tokens.append(("word", word))
        position = found.end()
    return tokens


def _expression(
    tokens: list[tuple[str, str]], position: int, path: str, origin: str | None
) -> tuple[int, bool]:
    position, result = _term(tokens, position, path, origin)
    while position < len(tokens) and tokens[position] == ("op", "||"):
        position, right = _term(tokens, position + 1, path, origin)
        result = result or right
    return position, result


def _term(
    tokens: list[tuple[str, str]], position: int, path: str, origin: str | None
) -> tuple[int, bool]:
    position, result = _factor(tokens, position, path, origin)
    while position < len(tokens) and tokens[position] == ("op", "&&"):
        position, right = _factor(tokens, position + 1, path, origin)
        result = result and right
    return position, result


def _factor(
    tokens: list[tuple[str, str]], position: int, path: str, origin: str | None
) -> tuple[int, bool]:
    kind, value = tokens[position]
    if (kind, value) == ("op", "!"):
        position, result = _factor(tokens, position + 1, path, origin)
        return position, not result
    if (kind, value) == ("op", "("):
        position, result = _expression(tokens, position + 1, path, origin)
        assert tokens[position] == ("op", ")"), "unbalanced parentheses"
        return position + 1, result
    if kind != "word" or tokens[position + 1] != ("op", "("):
        raise ValueError(f"expected a matcher at {value!r}")
    position, arguments = position + 2, []
    while tokens[position] != ("op", ")"):
        if tokens[position] == ("op", ","):
            position += 1
            continue
        arguments.append(tokens[position][1])
        position += 1
    return position + 1, _matcher(value, arguments, path, origin)


def _matcher(name: str, arguments: list[str], path: str, origin: str | None) -> bool:
    if name == "Path":
        return path in arguments
    if name == "PathPrefix":
        return any(path.startswith(prefix) for prefix in arguments)
    if name == "PathRegexp":
        return re.search(arguments[0], path) is not None
    if name in {"Header", "HeaderRegexp"}:
        header, expected = arguments
        if header.lower() != "origin":
            raise ValueError(f"{name} on {header}: only Origin is understood by this test")
        if origin is None:
            return False
        return origin == expected if name == "Header" else re.search(expected, origin) is not None
    if name in {"Host", "HostRegexp", "Method"}:
        return True  # environment or method specific: every sample request matches
    raise ValueError(f"matcher {name} is not understood by this test; teach it")


# --- middlewares --------------------------------------------------------------------------

GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


def seconds(duration: object) -> float:
    if isinstance(duration, int | float):
        return float(duration)
    factors = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    text = str(duration)
    parts = GO_DURATION.findall(text)
    if not parts or "".join(amount + unit for amount, unit in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(amount) * factors[unit] for amount, unit in parts)


def _normalise(key: str, value: object) -> object:
    if isinstance(value, list):
        items = [str(item) for item in value]
        if key in CASE_INSENSITIVE_LISTS:
            items = [item.lower() for item in items]
        return tuple(sorted(items))
    if isinstance(value, dict):
        return tuple(sorted((str(k).lower(), str(v)) for k, v in value.items()))
    return value


def features(chain: list[dict[str, Any]]) -> dict[str, Any]:
    """What a middleware chain does, independent of how it is split into middlewares:
    each setting that has an effect, and the order of the kinds of middleware."""
    result: dict[str, Any] = {}
    order: list[str] = []
    for middleware in chain:
        [(kind, config)] = middleware.items()
        config = config or {}
        if not order or order[-1] != kind:
            order.append(kind)
        if kind == "headers":
            for key, value in config.items():
                # Traefik's zero values (false, 0, "", []) are the same as leaving it out;
                # its API omits them.
                if value:
                    result[f"headers.{key}"] = _normalise(key, value)
        elif kind == "rateLimit":
            result["rateLimit"] = (
                config.get("average"),
                seconds(config.get("period", "1s")),
                config.get("burst", 1),
                repr(config.get("sourceCriterion")),
            )
        elif kind == "buffering":
            for key in ("maxRequestBodyBytes", "memRequestBodyBytes", "maxResponseBodyBytes"):
                result[f"buffering.{key}"] = int(config.get(key, 0))
        elif kind == "compress":
            result["compress"] = True
            result["compress.minResponseBodyBytes"] = config.get(
                "minResponseBodyBytes", DEFAULT_COMPRESS_MIN_BYTES
            )
            result["compress.encodings"] = tuple(
                sorted(config.get("encodings") or DEFAULT_COMPRESS_ENCODINGS)
            )
        elif kind == "errors":
            result["errors"] = (
                _normalise("status", config.get("status", [])),
                config.get("query"),
                config.get("service"),  # an Upstream, resolved by the loader
            )
        else:
            result[kind] = repr(sorted(config.items()))
    result["order"] = tuple(order)
    return result


# --- the file provider: gateway/dynamic.yml as Traefik loads it ---------------------------

# What Traefik's API adds to each item, beside its configuration.
RUNTIME_FIELDS = {"status", "usedBy", "using", "error", "err", "serverStatus", "observability"}


def render_gateway(dynamic: Path, environment: Mapping[str, str], work_dir: Path) -> dict[str, Any]:
    """The file provider's configuration as the real traefik loads `dynamic` with exactly
    `environment` (its templates rendered): {"http": {"routers", "middlewares", "services"}}.

    Fails when Traefik reports an error on any of its routers, middlewares or services.
    """
    ports = GatewayPorts(web=free_port(), tls=free_port(), ops=free_port())
    static = render_static_config(ports, work_dir, work_dir, dynamic)
    process = gateway_process(
        traefik_binary(), static, {"PATH": "/usr/bin:/bin", **environment}, work_dir
    )
    process.start()
    try:
        raw = _loaded_configuration(ports, process)
    finally:
        process.stop()
    return _file_provider_config(raw)


def _loaded_configuration(ports: GatewayPorts, process: ManagedProcess) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not process.is_running():
            break
        try:
            response = httpx.get(f"{ports.ops_url}/api/rawdata", timeout=1)
            raw: dict[str, Any] = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            raw = {}
        # The file provider's configuration arrives in one piece.
        if any(name.endswith("@file") for section in raw.values() for name in section):
            return raw
        time.sleep(0.05)
    raise AssertionError(f"traefik did not load its configuration:\n{process.log_tail()}")


def _file_provider_config(raw: Mapping[str, Any]) -> dict[str, Any]:
    http: dict[str, dict[str, Any]] = {}
    problems = []
    for section in ("routers", "middlewares", "services"):
        http[section] = {}
        for qualified, item in raw.get(section, {}).items():
            if not qualified.endswith("@file"):
                continue  # Traefik's own (api, ping, metrics), not the platform's
            name = qualified.removesuffix("@file")
            if item.get("status") != "enabled" or item.get("error"):
                problems.append(f"{section} {name}: {item.get('status')} {item.get('error')}")
            http[section][name] = {k: v for k, v in item.items() if k not in RUNTIME_FIELDS}
    assert not problems, "traefik refused part of the configuration:\n" + "\n".join(problems)
    routers = http["routers"]
    for name in list(routers):
        # Traefik's TLS twin of a router on the TLS entry point: the same route.
        twin = routers.get(name.removeprefix("websecure-"))
        if name.startswith("websecure-") and twin and twin["rule"] == routers[name]["rule"]:
            del routers[name]
    for router in routers.values():
        router["middlewares"] = [_local(name) for name in router.get("middlewares", [])]
        router["service"] = _local(router["service"])
    return {"http": http}


def _local(name: str) -> str:
    return name.removesuffix("@file")


def load_gateway(config: Mapping[str, Any]) -> Routing:
    """The routers of a file-provider configuration (render_gateway's result)."""
    http = config.get("http") or {}
    services: dict[str, Any] = http.get("services") or {}
    middlewares: dict[str, Any] = http.get("middlewares") or {}

    def upstream(name: str) -> Upstream:
        balancer = services[_local(name)]["loadBalancer"]
        servers = []
        for server in balancer["servers"]:
            url = urlsplit(server["url"])
            servers.append(f"{url.hostname}:{url.port or 80}")
        check = (balancer.get("healthCheck") or {}).get("path")
        return Upstream(tuple(sorted(servers)), check)

    def expand(names: Iterable[str]) -> list[dict[str, Any]]:
        chain: list[dict[str, Any]] = []
        for name in names:
            middleware = middlewares[_local(name)]
            if "chain" in middleware:
                chain += expand(middleware["chain"]["middlewares"])
            elif "errors" in middleware:
                errors = middleware["errors"]
                chain.append({"errors": {**errors, "service": upstream(errors["service"])}})
            else:
                chain.append(middleware)
        return chain

    routing = Routing()
    for name, router in (http.get("routers") or {}).items():
        if router["service"].endswith("@internal"):
            continue  # Traefik's own API or ping, not the platform's
        routing.routers.append(
            Router(
                name=name,
                rule=router["rule"],
                upstream=upstream(router["service"]),
                middlewares=expand(router.get("middlewares", [])),
                priority=router.get("priority", 0),
            )
        )
    return routing


# --- Kubernetes: IngressRoutes, Middlewares, Services and the pods behind them ------------


def _selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def _kubernetes_upstream(reference: Mapping[str, Any], manifests: list[dict[str, Any]]) -> Upstream:
    """The pods a Traefik service reference reaches, and the probe that keeps them in it.

    By default Traefik sends to the Service's endpoints that are ready (their readiness
    probe). With `nativeLB`, it sends to the ClusterIP and kube-proxy picks the pod; with
    the Service's publishNotReadyAddresses too, that is every pod that is alive (their
    liveness probe restarts one that is not).
    """
    name, port = reference["name"], reference["port"]
    services = [
        item["spec"]
        for item in manifests
        if item["kind"] == "Service" and item["metadata"]["name"] == name
    ]
    assert len(services) == 1, f"expected one Service {name}, found {len(services)}"
    service = services[0]
    ports = [p for p in service["ports"] if port in (p["port"], p.get("name"))]
    assert len(ports) == 1, f"Service {name} has no port {port}"
    service_port = ports[0]
    target = service_port.get("targetPort", service_port["port"])
    live = bool(reference.get("nativeLB")) and bool(service.get("publishNotReadyAddresses"))
    probe_kind = "livenessProbe" if live else "readinessProbe"
    servers, checks = [], set()
    for deployment in (item for item in manifests if item["kind"] == "Deployment"):
        template = deployment["spec"]["template"]
        labels = template["metadata"]["labels"]
        if not _selects(service["selector"], labels):
            continue
        for container in template["spec"]["containers"]:
            for container_port in container.get("ports", []):
                if target in (container_port["containerPort"], container_port.get("name")):
                    servers.append(
                        f"{labels['app.kubernetes.io/name']}:{container_port['containerPort']}"
                    )
                    probe = container.get(probe_kind)
                    checks.add(probe["httpGet"]["path"] if probe else None)
    assert servers, f"Service {name} selects no pod with a port {target}"
    assert len(checks) == 1, f"the pods behind {name} disagree on their {probe_kind}: {checks}"
    return Upstream(tuple(sorted(servers)), checks.pop())


def load_ingressroutes(manifests: list[dict[str, Any]]) -> Routing:
    """The routes of rendered IngressRoute objects, with their Middleware objects and the
    Services and Deployments behind them."""
    middlewares = {
        item["metadata"]["name"]: item["spec"] for item in manifests if item["kind"] == "Middleware"
    }

    def expand(names: Iterable[str]) -> list[dict[str, Any]]:
        chain: list[dict[str, Any]] = []
        for name in names:
            middleware = middlewares[name]
            if "chain" in middleware:
                chain += expand(ref["name"] for ref in middleware["chain"]["middlewares"])
            elif "errors" in middleware:
                errors = middleware["errors"]
                service = _kubernetes_upstream(errors["service"], manifests)
                chain.append({"errors": {**errors, "service": service}})
            else:
                chain.append(middleware)
        return chain

    routing = Routing()
    for item in manifests:
        if item["kind"] != "IngressRoute":
            continue
        for index, route in enumerate(item["spec"]["routes"]):
            assert route.get("kind", "Rule") == "Rule"
            [service] = route["services"]
            routing.routers.append(
                Router(
                    name=f"{item['metadata']['name']}[{index}]",
                    rule=route["match"],
                    upstream=_kubernetes_upstream(service, manifests),
                    middlewares=expand(ref["name"] for ref in route.get("middlewares", [])),
                    priority=route.get("priority", 0),
                )
            )
    return routing


def allowed_origins(pattern: str) -> list[str]:
    """The origins of an anchored alternation of regexp-escaped origins, the form
    gateway/dynamic.yml builds from CORS_ORIGINS: `^(https://a\\.example|http://b:3000)$`."""
    found = re.fullmatch(r"\^\((.*)\)\$", pattern)
    assert found, f"not an anchored list of origins: {pattern!r}"
    alternatives = re.split(r"(?<!\\)\|", found.group(1))
    return [re.sub(r"\\(.)", r"\1", alternative) for alternative in alternatives]
