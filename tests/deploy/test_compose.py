"""docker-compose.yml: the stack in containers, checked without a Docker engine."""

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from devstack.gateway import GatewayPorts, gateway_process, traefik_binary
from tests.deploy.rendering import REPO_ROOT, SERVICE_PORTS
from tests.deploy.service_settings import (
    EVENT_EDGES,
    assert_base_url_of,
    assert_relay_delivers_to,
    load_service_settings,
)
from todo_common.embedded_postgres import free_port
from todo_common.security.service_tokens import LocalServiceTokenMinter, service_token_provider

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
# The static configuration the traefik container runs, as mounted there and in the repo.
CONTAINER_STATIC_IN_CONTAINER = "/gateway/traefik.container.yml"
CONTAINER_STATIC = REPO_ROOT / "gateway" / "traefik.container.yml"
CONTAINER_STATIC_CONFIG = yaml.safe_load(CONTAINER_STATIC.read_text())
# What the gateway's templates read besides the upstreams (gateway/dynamic.yml).
GATEWAY_TEMPLATE_SETTINGS = (
    "CORS_ORIGINS",
    "GATEWAY_AUTH_RATE_AVERAGE",
    "GATEWAY_AUTH_RATE_PERIOD_SECONDS",
    "GATEWAY_AUTH_RATE_BURST",
    "GATEWAY_MAX_BODY_BYTES",
)
UPSTREAMS = {f"{name.upper()}_URL": f"http://{name}:{port}" for name, port in SERVICE_PORTS.items()}
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


def install_script_traefik_version() -> str:
    script = (REPO_ROOT / "scripts" / "install_traefik.sh").read_text()
    found = re.search(r'TRAEFIK_VERSION="(v[\d.]+)"', script)
    assert found
    return found.group(1)


class TestOrdering:
    @pytest.mark.parametrize("name", sorted(SERVICE_PORTS))
    def test_service_starts_after_its_migration(self, name):
        assert SERVICES[name]["depends_on"] == {
            f"{name}-migrate": {"condition": "service_completed_successfully"}
        }

    @pytest.mark.parametrize("name", sorted(SERVICE_PORTS))
    def test_migration_waits_for_postgres_and_runs_alembic(self, name):
        migration = SERVICES[f"{name}-migrate"]
        assert migration["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        assert migration["command"] == ["alembic", "-c", "alembic.ini", "upgrade", "head"]
        assert migration["restart"] == "no"
        # The same image as the service it migrates.
        assert migration["image"] == SERVICES[name]["image"]
        assert migration["build"] == SERVICES[name]["build"]

    def test_gateway_waits_for_healthy_services(self):
        assert SERVICES["traefik"]["depends_on"] == {
            name: {"condition": "service_healthy"} for name in SERVICE_PORTS
        }

    @pytest.mark.parametrize("name", [*sorted(SERVICE_PORTS), "postgres"])
    def test_healthchecks(self, name):
        check = SERVICES[name]["healthcheck"]["test"]
        assert check[0] in {"CMD", "CMD-SHELL"}
        if name in SERVICE_PORTS:
            # No curl in the slim image: Python asks the readiness endpoint.
            assert check[1:3] == ["python", "-c"]
            assert "/readyz" in check[3]


class TestImages:
    @pytest.mark.parametrize("name", sorted(SERVICE_PORTS))
    def test_each_service_builds_its_dockerfile_from_the_root(self, name):
        build = SERVICES[name]["build"]
        assert build == {"context": ".", "dockerfile": f"services/{name}/Dockerfile"}
        assert (REPO_ROOT / build["dockerfile"]).is_file()
        assert SERVICES[name]["image"] == f"todo-platform/{name}:local"

    def test_third_party_images_are_pinned(self):
        assert SERVICES["postgres"]["image"] == "postgres:17"
        # The same Traefik as the local runner (scripts/install_traefik.sh).
        assert SERVICES["traefik"]["image"] == f"traefik:{install_script_traefik_version()}"


class TestGateway:
    def test_runs_the_container_static_config_on_the_mounted_gateway_folder(self):
        traefik = SERVICES["traefik"]
        assert traefik["volumes"] == ["./gateway:/gateway:ro"]
        assert traefik["command"] == [f"--configFile={CONTAINER_STATIC_IN_CONTAINER}"]
        # Every file the container reads is in the mounted folder.
        assert CONTAINER_STATIC.is_file()
        dynamic = CONTAINER_STATIC_CONFIG["providers"]["file"]["filename"]
        assert dynamic == "/gateway/dynamic.yml"
        assert (REPO_ROOT / "gateway" / "dynamic.yml").is_file()

    def test_publishes_the_entry_points_and_keeps_operations_on_the_host(self):
        addresses = {
            name: entry_point["address"]
            for name, entry_point in CONTAINER_STATIC_CONFIG["entryPoints"].items()
        }
        # All interfaces inside the container: loopback there would be unreachable.
        assert addresses == {"web": ":8080", "websecure": ":8443", "traefik": ":8082"}
        assert SERVICES["traefik"]["ports"] == [
            "${GATEWAY_PORT:-8080}:8080",
            "${GATEWAY_TLS_PORT:-8443}:8443",
            # /ping, /metrics and the API: never beyond the host's loopback.
            "127.0.0.1:${GATEWAY_OPS_PORT:-8082}:8082",
        ]

    def test_the_container_config_is_traefik_yml_but_for_addresses_and_paths(self):
        local = yaml.safe_load((REPO_ROOT / "gateway" / "traefik.yml").read_text())
        container = yaml.safe_load(CONTAINER_STATIC.read_text())
        for config in (local, container):
            for entry_point in config["entryPoints"].values():
                del entry_point["address"]
            del config["providers"]["file"]["filename"]
        assert container == local

    def test_healthcheck_pings_the_operations_entry_point(self):
        check = SERVICES["traefik"]["healthcheck"]
        # --ping alone would ask Traefik's default :8080; the file says :8082.
        assert check["test"] == [
            "CMD",
            "traefik",
            "healthcheck",
            "--ping",
            f"--configFile={CONTAINER_STATIC_IN_CONTAINER}",
        ]
        assert CONTAINER_STATIC_CONFIG["ping"]["entryPoint"] == "traefik"

    def test_upstreams_are_the_compose_services(self):
        environment = SERVICES["traefik"]["environment"]
        for name, port in SERVICE_PORTS.items():
            assert environment[f"{name.upper()}_URL"] == f"http://{name}:{port}"

    def test_gateway_settings_pass_through_and_nothing_else(self):
        # Empty when unset, which gateway/dynamic.yml's templates treat as their default;
        # no env_file: the gateway has no business with JWT_SECRET or database passwords.
        traefik = SERVICES["traefik"]
        assert "env_file" not in traefik
        passed = {
            key: value for key, value in traefik["environment"].items() if not key.endswith("_URL")
        }
        assert passed == {key: f"${{{key}:-}}" for key in GATEWAY_TEMPLATE_SETTINGS}
        dynamic = (REPO_ROOT / "gateway" / "dynamic.yml").read_text()
        for key in GATEWAY_TEMPLATE_SETTINGS:
            assert f'env "{key}" | default' in dynamic, key

    def test_is_locked_down(self):
        traefik = SERVICES["traefik"]
        assert traefik["read_only"] is True
        assert traefik["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in traefik["security_opt"]


class TestGatewayHealthcheck:
    """The compose healthcheck, run with the real traefik against the container config."""

    @pytest.fixture
    def static_config(self, tmp_path: Path) -> tuple[Path, GatewayPorts]:
        # The container file with this machine's free ports and paths, nothing else.
        ports = GatewayPorts(web=free_port(), tls=free_port(), ops=free_port())
        config = yaml.safe_load(CONTAINER_STATIC.read_text())
        for name, port in (("web", ports.web), ("websecure", ports.tls), ("traefik", ports.ops)):
            config["entryPoints"][name]["address"] = f"127.0.0.1:{port}"
        config["providers"]["file"]["filename"] = str(REPO_ROOT / "gateway" / "dynamic.yml")
        path = tmp_path / "traefik.container.yml"
        path.write_text(yaml.safe_dump(config))
        return path, ports

    @pytest.fixture
    def traefik(self) -> Path:
        return traefik_binary()

    def healthcheck(self, traefik: Path, static: Path) -> subprocess.CompletedProcess[str]:
        """The compose healthcheck's command, its binary and config file this machine's."""
        executable, *arguments = SERVICES["traefik"]["healthcheck"]["test"][1:]
        assert executable == "traefik"
        arguments = [
            f"--configFile={static}" if argument.startswith("--configFile=") else argument
            for argument in arguments
        ]
        return subprocess.run(
            [str(traefik), *arguments], capture_output=True, text=True, timeout=30, check=False
        )

    def test_healthy_while_traefik_runs_unhealthy_once_it_stops(
        self, traefik, static_config, tmp_path
    ):
        static, ports = static_config
        process = gateway_process(traefik, static, {"PATH": "/usr/bin:/bin", **UPSTREAMS}, tmp_path)
        process.start()
        try:
            deadline = time.monotonic() + 15
            while (healthy := self.healthcheck(traefik, static)).returncode != 0:
                assert process.is_running(), process.log_tail()
                assert time.monotonic() < deadline, healthy.stdout + healthy.stderr
                time.sleep(0.2)
            # It asked the operations entry point of the file, not Traefik's default.
            assert f":{ports.ops}/ping" in healthy.stdout
        finally:
            process.stop()
        assert self.healthcheck(traefik, static).returncode != 0


class TestConfiguration:
    @pytest.mark.parametrize("name", sorted(SERVICE_PORTS))
    def test_each_service_connects_as_its_own_role(self, name):
        for container in (name, f"{name}-migrate"):
            environment = SERVICES[container]["environment"]
            for variable in ("DATABASE_URL", "DATABASE_URL_DIRECT"):
                url = environment[variable]
                pattern = rf"postgresql://{name}:\$\{{{name.upper()}_DB_PASSWORD:-{name}-local-only\}}@postgres:5432/todo\?sslmode=disable"
                assert re.fullmatch(pattern, url), url
            assert environment["DB_SCHEMA"] == name
            # Required, with no default: compose refuses to start without it.
            assert environment["JWT_SECRET"] == "${JWT_SECRET:?set JWT_SECRET}"

    @pytest.mark.parametrize("name", sorted(SERVICE_PORTS))
    def test_services_know_each_other_and_leave_cors_to_the_gateway(self, name):
        environment = SERVICES[name]["environment"]
        # .env is for `make run` (127.0.0.1 addresses, other ports): these win over it.
        for variable, url in UPSTREAMS.items():
            assert environment[variable] == url
        assert environment["PORT"] == str(SERVICE_PORTS[name])
        assert SERVICES[name]["expose"] == [str(SERVICE_PORTS[name])]
        # Off, not unset (unset means the default origins): one place grants origins.
        assert environment["CORS_ORIGINS"] == ""

    def test_postgres_passwords_match_the_service_urls(self):
        environment = SERVICES["postgres"]["environment"]
        for name in SERVICE_PORTS:
            variable = f"{name.upper()}_DB_PASSWORD"
            assert environment[variable] == f"${{{variable}:-{name}-local-only}}"

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

    def test_event_subscribers_are_base_urls_of_real_services(self):
        # Base URLs: the relay appends /internal/events itself.
        edges = set()
        for name in SERVICE_PORTS:
            subscribers = json.loads(SERVICES[name]["environment"].get("EVENT_SUBSCRIBERS", "{}"))
            for subscriber, url in subscribers.items():
                assert_base_url_of(url, subscriber)
                edges.add((name, subscriber))
        assert edges == EVENT_EDGES

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
        for subscriber in settings.event_subscribers:
            assert_relay_delivers_to(settings, subscriber)
        # HS256: every relay mints its service tokens with JWT_SECRET, so compose needs no
        # SERVICE_TOKEN_URL or client secret (those are for RS256, the prod overlay).
        assert settings.jwt_algorithms == ["HS256"]
        assert settings.service_token_url is None
        assert settings.service_client_secret is None
        if settings.event_subscribers and service != "auth":  # auth uses its own issuer
            assert isinstance(service_token_provider(settings), LocalServiceTokenMinter)

    @pytest.mark.parametrize("name", sorted(SERVICE_PORTS))
    def test_containers_are_locked_down(self, name):
        for container in (SERVICES[name], SERVICES[f"{name}-migrate"]):
            assert container["read_only"] is True
            assert container["cap_drop"] == ["ALL"]
            assert "no-new-privileges:true" in container["security_opt"]
            assert container["env_file"] == [{"path": ".env", "required": False}]

    def test_postgres_init_files_exist(self):
        for volume in SERVICES["postgres"]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO_ROOT / source).exists(), source
        init = REPO_ROOT / "deploy" / "postgres" / "init"
        scripts = sorted(path.name for path in init.iterdir())
        # The image runs every *.sql of that folder without variables: only the script.
        assert scripts == ["10-service-roles.sh"]
        assert Path(init / scripts[0]).stat().st_mode & 0o111, "must be executable"
