"""docker-compose.yml, checked without a Docker engine: what the running stack cannot show
(tests/containers/ runs it for real and checks the rest)."""

import re

import pytest
import yaml

from tests.commands import REPO_ROOT
from tests.deploy.service_settings import (
    assert_relay_delivers_to,
    load_service_settings,
    published_to,
)
from todo_common.platform import SERVICE_PORTS
from todo_common.security.service_tokens import LocalServiceTokenMinter, service_token_provider

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")
# What the shell or .env gives for the required variables, in the settings checks.
SAMPLE_REQUIRED = {"JWT_SECRET": "compose-sample-" + "0" * 32}


def resolved(environment: dict[str, object]) -> dict[str, str]:
    """A container's environment as compose interpolates it with nothing set in the shell:
    each default, and a sample value for what is required."""

    def substitute(match: re.Match[str]) -> str:
        variable, operator, default = match.groups()
        if operator == "?":
            return SAMPLE_REQUIRED[variable]
        return default or ""

    return {key: INTERPOLATION.sub(substitute, str(value)) for key, value in environment.items()}


class TestConfiguration:
    def test_no_secret_is_written_down(self):
        # Every secret-looking value is an interpolation; the only defaults are the
        # local stand-in database's, and they say so.
        text = (REPO_ROOT / "docker-compose.yml").read_text()
        for variable, operator, default in INTERPOLATION.findall(text):
            if operator == "-" and re.search("PASSWORD|SECRET|KEY", variable):
                assert default.endswith("local-only"), variable
        for container in SERVICES.values():
            for key, value in (container.get("environment") or {}).items():
                if re.search("PASSWORD|SECRET|KEY", key):
                    assert str(value).startswith("${"), key
                for password in re.findall(r"://[^:/]+:([^@]+)@", str(value)):
                    assert password.startswith("${"), key

    @pytest.mark.parametrize(
        "container",
        [*sorted(SERVICE_PORTS), *(f"{name}-migrate" for name in sorted(SERVICE_PORTS))],
    )
    def test_services_accept_their_settings_and_mint_service_tokens_locally(
        self, container, monkeypatch
    ):
        service = container.removesuffix("-migrate")
        environment = resolved(SERVICES[container]["environment"])
        settings = load_service_settings(service, environment, monkeypatch)
        assert settings.db_schema == service
        for subscriber in published_to(settings):
            assert_relay_delivers_to(settings, subscriber)
        # HS256: every relay mints its service tokens with JWT_SECRET, so compose needs no
        # SERVICE_TOKEN_URL or client secret (those are for RS256, the prod overlay).
        assert settings.jwt_algorithms == ["HS256"]
        assert settings.service_token_url is None
        assert settings.service_client_secret is None
        if settings.outbox_relay_enabled and service != "auth":  # auth uses its own issuer
            assert isinstance(service_token_provider(settings), LocalServiceTokenMinter)
