"""Route sample requests the way Traefik would, through either form of our gateway config.

Both the file provider's dynamic configuration (gateway/dynamic/*.yml) and the Kubernetes
IngressRoute/Middleware objects reduce to the same thing: for a request path, which
upstream serves it and what the middleware chain does. Comparing those answers, rather
than the YAML, lets the two be written differently and still be checked for agreement.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Values the gateway's `{{ env "..." }}` templates get, as in docker compose.
TEMPLATE_ENVIRONMENT = {
    "AUTH_URL": "http://auth:8001",
    "USERS_URL": "http://users:8002",
    "TODOS_URL": "http://todos:8003",
    "CORS_ORIGINS": "http://localhost:3000,http://localhost:5173",
    "GATEWAY_PORT": "8080",
}
# Settings that legitimately differ between environments, left out of the comparison.
ENVIRONMENT_SPECIFIC = {
    "accessControlAllowOriginList",
    "accessControlAllowOriginListRegex",
    "stsSeconds",
    "stsIncludeSubdomains",
    "stsPreload",
    "forceSTSHeader",
}


@dataclass
class Router:
    rule: str
    upstream: str
    middlewares: list[dict[str, Any]]  # each {type: config}
    priority: int = 0

    @property
    def effective_priority(self) -> int:
        # Traefik v3: without an explicit priority, the longer rule wins.
        return self.priority or len(self.rule)


@dataclass
class Routing:
    routers: list[Router] = field(default_factory=list)

    def route(self, path: str) -> tuple[str, dict[str, Any]] | None:
        """(upstream, what the middleware chain does) for a request to `path`, or None (404)."""
        matching = [router for router in self.routers if matches(router.rule, path)]
        if not matching:
            return None
        router = max(matching, key=lambda candidate: candidate.effective_priority)
        return router.upstream, features(router.middlewares)


# --- rules --------------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:(\|\||&&|!|\(|\)|,)|`([^`]*)`|\"((?:[^\"\\]|\\.)*)\"|(\w+))")


def matches(rule: str, path: str) -> bool:
    """Evaluate a Traefik v3 rule for a request to `path` (any host, any method)."""
    tokens = tokenize(rule)
    position, result = _expression(tokens, 0, path)
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


def _expression(tokens: list[tuple[str, str]], position: int, path: str) -> tuple[int, bool]:
    position, result = _term(tokens, position, path)
    while position < len(tokens) and tokens[position] == ("op", "||"):
        position, right = _term(tokens, position + 1, path)
        result = result or right
    return position, result


def _term(tokens: list[tuple[str, str]], position: int, path: str) -> tuple[int, bool]:
    position, result = _factor(tokens, position, path)
    while position < len(tokens) and tokens[position] == ("op", "&&"):
        position, right = _factor(tokens, position + 1, path)
        result = result and right
    return position, result


def _factor(tokens: list[tuple[str, str]], position: int, path: str) -> tuple[int, bool]:
    kind, value = tokens[position]
    if (kind, value) == ("op", "!"):
        position, result = _factor(tokens, position + 1, path)
        return position, not result
    if (kind, value) == ("op", "("):
        position, result = _expression(tokens, position + 1, path)
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
    return position + 1, _matcher(value, arguments, path)


def _matcher(name: str, arguments: list[str], path: str) -> bool:
    if name == "Path":
        return path in arguments
    if name == "PathPrefix":
        return any(path.startswith(prefix) for prefix in arguments)
    if name == "PathRegexp":
        return re.search(arguments[0], path) is not None
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
        return tuple(sorted(str(item).lower() for item in value))
    if isinstance(value, dict):
        return tuple(sorted((str(k).lower(), str(v)) for k, v in value.items()))
    return value


def features(chain: list[dict[str, Any]]) -> dict[str, Any]:
    """What a middleware chain does, independent of how it is split into middlewares."""
    result: dict[str, Any] = {}
    for middleware in chain:
        [(kind, config)] = middleware.items()
        config = config or {}
        if kind == "headers":
            for key, value in config.items():
                if key not in ENVIRONMENT_SPECIFIC:
                    result[f"headers.{key}"] = _normalise(key, value)
        elif kind == "rateLimit":
            result["rateLimit"] = (
                config.get("average"),
                seconds(config.get("period", "1s")),
                config.get("burst", 1),
            )
        elif kind == "buffering":
            result["buffering.maxRequestBodyBytes"] = config.get("maxRequestBodyBytes")
            result["buffering.maxResponseBodyBytes"] = config.get("maxResponseBodyBytes", 0)
        elif kind == "compress":
            result["compress"] = True
        elif kind == "errors":
            result["errors"] = (_normalise("status", config.get("status", [])), config.get("query"))
        else:
            result[kind] = repr(sorted(config.items()))
    return result


# --- loaders ------------------------------------------------------------------------------


def render_templates(text: str) -> str:
    """Traefik's file provider renders Go templates before parsing; do the `env` ones."""

    def substitute(found: re.Match[str]) -> str:
        return TEMPLATE_ENVIRONMENT.get(found.group(1), "")

    return re.sub(r"\{\{-?\s*env\s+\"(\w+)\"\s*-?\}\}", substitute, text)


def load_gateway(directory: Path) -> Routing:
    """The routers of gateway/dynamic/*.yml (file provider), as Traefik would merge them."""
    routers: dict[str, Any] = {}
    services: dict[str, Any] = {}
    middlewares: dict[str, Any] = {}
    for path in sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")]):
        document = yaml.safe_load(render_templates(path.read_text())) or {}
        http = document.get("http") or {}
        routers |= http.get("routers") or {}
        services |= http.get("services") or {}
        middlewares |= http.get("middlewares") or {}

    def expand(names: list[str]) -> list[dict[str, Any]]:
        chain = []
        for name in names:
            middleware = middlewares[name.split("@")[0]]
            if "chain" in middleware:
                chain += expand(middleware["chain"]["middlewares"])
            else:
                chain.append(middleware)
        return chain

    routing = Routing()
    for router in routers.values():
        service = router["service"]
        if service.endswith("@internal"):
            continue  # Traefik's own API or ping, not the platform's
        [server] = services[service.split("@")[0]]["loadBalancer"]["servers"]
        upstream = re.match(r"https?://([^:/]+)", server["url"])
        assert upstream, f"cannot read the upstream of {server['url']!r}"
        routing.routers.append(
            Router(
                rule=router["rule"],
                upstream=upstream.group(1),
                middlewares=expand(router.get("middlewares", [])),
                priority=router.get("priority", 0),
            )
        )
    return routing


def load_ingressroutes(manifests: list[dict[str, Any]]) -> Routing:
    """The routes of rendered IngressRoute objects, with their Middleware objects."""
    middlewares = {
        item["metadata"]["name"]: item["spec"] for item in manifests if item["kind"] == "Middleware"
    }

    def expand(names: list[str]) -> list[dict[str, Any]]:
        chain = []
        for name in names:
            middleware = middlewares[name]
            if "chain" in middleware:
                chain += expand([ref["name"] for ref in middleware["chain"]["middlewares"]])
            else:
                chain.append(middleware)
        return chain

    routing = Routing()
    for item in manifests:
        if item["kind"] != "IngressRoute":
            continue
        for route in item["spec"]["routes"]:
            [service] = route["services"]
            routing.routers.append(
                Router(
                    rule=route["match"],
                    upstream=service["name"],
                    middlewares=expand([ref["name"] for ref in route.get("middlewares", [])]),
                    priority=route.get("priority", 0),
                )
            )
    return routing
