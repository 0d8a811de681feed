"""The stack in containers, as a user and an operator notice it: a frontend's journey
through the containerized gateway, unprivileged service containers, healthy healthchecks,
migrations run once before each service, and recovery from a restarted service container
and from a PostgreSQL outage with every acknowledged write kept."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.commands import REPO_ROOT
from tests.containers.compose import ComposeStack
from tests.containers.conftest import wait_healthy
from tests.e2e.test_journey import Frontend
from todo_common.platform import SERVICES
from todo_common.testing.assertions import assert_problem
from todo_common.testing.waiting import eventually

# What a process with no capabilities shows in /proc/<pid>/status.
NO_CAPABILITIES = "0000000000000000"


def proc_status(stack: ComposeStack, service: str) -> dict[str, str]:
    """/proc/1/status of the service's container: its main process, seen from inside."""
    shown = stack.exec(service, "cat", "/proc/1/status")
    assert shown.returncode == 0, shown.stderr
    fields = (line.split(":", 1) for line in shown.stdout.splitlines() if ":" in line)
    return {name: value.strip() for name, value in fields}


def started_at(state: dict[str, str], key: str) -> datetime:
    # Docker's timestamps have nanoseconds; fromisoformat takes microseconds at most.
    stamp = state[key].rstrip("Z")
    whole, _, fraction = stamp.partition(".")
    return datetime.fromisoformat(f"{whole}.{(fraction or '0')[:6]}")


class TestFrontendJourney:
    def test_register_log_in_todos_and_account_deletion(
        self, compose_stack: ComposeStack, client: httpx.Client
    ) -> None:
        ada = Frontend(client, "Ada").sign_up()
        eventually(lambda: ada.get("/api/v1/users/me").json().get("name") == "Ada")

        created = [
            ada.send("POST", "/api/v1/todos", json={"title": f"todo {index}"}).json()
            for index in range(3)
        ]
        listing = ada.get("/api/v1/todos").json()
        assert [todo["title"] for todo in listing["items"]] == ["todo 2", "todo 1", "todo 0"]
        path = f"/api/v1/todos/{created[0]['id']}"
        renamed = ada.send("PATCH", path, json={"title": "renamed", "completed": True})
        assert renamed.status_code == 200
        assert ada.get(path).json()["title"] == "renamed"
        assert ada.send("DELETE", path).status_code == 204
        assert_problem(ada.get(path), 404, path)

        assert ada.send("DELETE", "/api/v1/users/me").status_code == 204
        # user.deleted travels users -> todos and users -> auth through the event relays;
        # from then on todos refuses the (still valid) token, and the rows are gone.
        eventually(lambda: ada.get("/api/v1/todos").status_code == 401, what="todos refuses")
        refused = assert_problem(ada.get("/api/v1/todos"), 401, "/api/v1/todos")
        assert refused["detail"] == "This account has been deleted"
        eventually(lambda: ada.login().status_code == 401, what="auth refuses the login")
        ids = ",".join(f"'{todo['id']}'" for todo in created)  # UUIDs the service issued
        remaining = compose_stack.psql(
            f"SELECT count(*) FROM todos.todo WHERE id IN ({ids})"  # noqa: S608
        )
        assert remaining.returncode == 0, remaining.stderr
        assert remaining.stdout.split() == ["0"]


class TestServiceContainers:
    @pytest.mark.parametrize("service", SERVICES)
    def test_runs_as_uid_10001_with_no_capabilities(
        self, compose_stack: ComposeStack, service: str
    ) -> None:
        status = proc_status(compose_stack, service)

        # Real, effective, saved and filesystem uid and gid.
        assert status["Uid"].split() == ["10001"] * 4
        assert status["Gid"].split() == ["10001"] * 4
        for capabilities in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert status[capabilities] == NO_CAPABILITIES, capabilities
        assert status["NoNewPrivs"] == "1"

    @pytest.mark.parametrize("service", SERVICES)
    def test_root_filesystem_is_read_only(self, compose_stack: ComposeStack, service: str) -> None:
        for path in ("/app/written", "/opt/venv/written"):
            written = compose_stack.exec(service, "touch", path)
            assert written.returncode != 0
            assert "Read-only file system" in written.stderr
        # /tmp is the one writable place (a tmpfs).
        assert compose_stack.exec(service, "touch", "/tmp/written").returncode == 0  # noqa: S108

    @pytest.mark.parametrize("service", SERVICES)
    def test_has_no_installer(self, compose_stack: ComposeStack, service: str) -> None:
        found = compose_stack.exec(service, "python", "-c", "import pip")
        assert found.returncode != 0
        assert "No module named 'pip'" in found.stderr
        assert compose_stack.exec(service, "python", "-m", "ensurepip").returncode != 0

    def test_gateway_is_published_on_the_loopback_only(self, compose_stack: ComposeStack) -> None:
        published = compose_stack.inspect("traefik")["NetworkSettings"]["Ports"]
        bindings = [binding for found in published.values() if found for binding in found]

        assert {binding["HostIp"] for binding in bindings} == {"127.0.0.1"}
        assert {int(binding["HostPort"]) for binding in bindings} == {
            compose_stack.gateway_port,
            compose_stack.tls_port,
            compose_stack.ops_port,
        }

    @pytest.mark.parametrize("service", [*SERVICES, "postgres", "traefik"])
    def test_healthcheck_reports_healthy(self, compose_stack: ComposeStack, service: str) -> None:
        assert compose_stack.inspect(service)["State"]["Health"]["Status"] == "healthy"


def migration_head(service: str) -> str:
    """The newest revision in the service's migrations/ folder."""
    config = Config(str(REPO_ROOT / "services" / service / "alembic.ini"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head
    return head


class TestMigrations:
    @pytest.mark.parametrize("service", SERVICES)
    def test_ran_once_and_finished_before_the_service_started(
        self, compose_stack: ComposeStack, service: str
    ) -> None:
        migration = compose_stack.inspect(f"{service}-migrate")
        state = migration["State"]
        assert (state["Status"], state["ExitCode"]) == ("exited", 0)
        # One container, never restarted: the migration ran once.
        assert migration["RestartCount"] == 0
        served = compose_stack.inspect(service)["State"]
        assert started_at(state, "FinishedAt") <= started_at(served, "StartedAt")

        # It took the service's schema to the newest revision (the version table lives
        # in that schema).
        # The schema is one of three fixed service names, never input.
        version = compose_stack.psql(f"SELECT version_num FROM {service}.alembic_version")  # noqa: S608
        assert version.returncode == 0, version.stderr
        assert version.stdout.split() == [migration_head(service)]


class TestRecovery:
    def test_a_restarted_service_container_serves_again(
        self, compose_stack: ComposeStack, client: httpx.Client
    ) -> None:
        ada = Frontend(client, "Ada").sign_up()
        kept = ada.send("POST", "/api/v1/todos", json={"title": "before the restart"})
        assert kept.status_code == 201
        before = compose_stack.inspect("todos")["State"]["StartedAt"]

        compose_stack.compose("restart", "todos")

        assert compose_stack.inspect("todos")["State"]["StartedAt"] != before
        wait_healthy(compose_stack, "todos")
        eventually(lambda: ada.get(f"/api/v1/todos/{kept.json()['id']}").status_code == 200)
        # uvicorn itself got SIGTERM (the image execs it) and shut down cleanly, rather
        # than a shell ignoring the signal until Docker killed it.
        assert "Finished server process" in compose_stack.logs("todos")

    def test_postgres_outage_is_503_then_recovers_with_every_acknowledged_write(
        self, compose_stack: ComposeStack, client: httpx.Client
    ) -> None:
        # Every service serving (and seen so by the gateway) before the outage begins.
        for service in SERVICES:
            wait_healthy(compose_stack, service)
        ada = Frontend(client, "Ada").sign_up()
        eventually(lambda: ada.get("/api/v1/todos").status_code == 200)
        acknowledged = []
        for index in range(5):
            created = ada.send("POST", "/api/v1/todos", json={"title": f"kept {index}"})
            assert created.status_code == 201
            acknowledged.append(created.json()["id"])

        compose_stack.compose("stop", "postgres")
        try:
            eventually(lambda: ada.get("/api/v1/todos").status_code == 503)
            body = assert_problem(ada.get("/api/v1/todos"), 503, "/api/v1/todos")
            assert body["detail"]
            refused = ada.send("POST", "/api/v1/todos", json={"title": "refused"})
            assert_problem(refused, 503, "/api/v1/todos")
        finally:
            compose_stack.compose("start", "postgres")

        wait_healthy(compose_stack, "postgres")
        eventually(lambda: ada.get("/api/v1/todos").status_code == 200, within=60)
        titles = {todo["id"]: todo["title"] for todo in ada.get("/api/v1/todos").json()["items"]}
        assert set(titles) == set(acknowledged)
        assert ada.send("POST", "/api/v1/todos", json={"title": "after"}).status_code == 201
        for service in SERVICES:
            wait_healthy(compose_stack, service)
