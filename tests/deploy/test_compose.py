"""docker-compose.yml: the stack in containers, checked without a Docker engine."""

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.deploy.rendering import REPO_ROOT, SERVICE_PORTS

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


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
    def test_mounts_gateway_and_publishes_the_port(self):
        traefik = SERVICES["traefik"]
        assert "./gateway:/gateway:ro" in traefik["volumes"]
        assert traefik["command"] == ["--configFile=/gateway/traefik.yml"]
        assert traefik["ports"] == ["${GATEWAY_PORT:-8080}:8080"]

    def test_upstreams_are_the_compose_services(self):
        environment = SERVICES["traefik"]["environment"]
        for name, port in SERVICE_PORTS.items():
            assert environment[f"{name.upper()}_URL"] == f"http://{name}:{port}"


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

    def test_event_subscribers_name_real_services(self):
        edges = set()
        for name in SERVICE_PORTS:
            subscribers = json.loads(SERVICES[name]["environment"].get("EVENT_SUBSCRIBERS", "{}"))
            for subscriber, url in subscribers.items():
                assert url == f"http://{subscriber}:{SERVICE_PORTS[subscriber]}/internal/events"
                edges.add((name, subscriber))
        assert edges == {("auth", "users"), ("users", "auth"), ("users", "todos")}

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
