"""deploy/postgres: the SQL compose runs (and operators run on Neon), on a real PostgreSQL."""

import os
import subprocess
from collections.abc import Iterator

import psycopg2
import pytest
from psycopg2 import errors, sql

from tests.commands import REPO_ROOT, run
from todo_common.embedded_postgres import (
    EmbeddedPostgres,
    _binary_dir,
    provision_service_role,
)
from todo_common.platform import SERVICE_PORTS
from todo_common.ports import free_port

INIT_SCRIPT = REPO_ROOT / "deploy" / "postgres" / "init" / "10-service-roles.sh"
SERVICE_ROLE_SQL = REPO_ROOT / "deploy" / "postgres" / "service-role.sql"
PASSWORDS = {name: f"{name}-test-password" for name in SERVICE_PORTS}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A cluster of its own, provisioned only by the compose init script."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("compose-postgres") / "data", free_port())
    server.start()
    admin = psycopg2.connect(server.url())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("CREATE DATABASE todo")  # what POSTGRES_DB=todo does in the image
    admin.close()
    yield server
    server.stop()


def run_init_script(cluster: EmbeddedPostgres) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PATH": f"{_binary_dir()}:{os.environ['PATH']}",
        "PGHOST": cluster.host,
        "PGPORT": str(cluster.port),
        "PGPASSWORD": cluster.superuser_password,
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": "todo",
        "SERVICE_ROLE_SQL": str(SERVICE_ROLE_SQL),
        **{f"{name.upper()}_DB_PASSWORD": password for name, password in PASSWORDS.items()},
    }
    return run(["bash", str(INIT_SCRIPT)], env=environment, timeout=60, check=False)


@pytest.fixture(scope="module")
def provisioned(cluster: EmbeddedPostgres) -> EmbeddedPostgres:
    completed = run_init_script(cluster)
    assert completed.returncode == 0, completed.stderr
    return cluster


def connect_as(cluster: EmbeddedPostgres, role: str) -> "psycopg2.extensions.connection":
    connection = psycopg2.connect(cluster.url(user=role, password=PASSWORDS[role], database="todo"))
    connection.autocommit = True
    return connection


class TestServiceRoles:
    def test_each_role_creates_tables_in_its_own_schema(self, provisioned):
        for name in SERVICE_PORTS:
            with connect_as(provisioned, name) as connection, connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("CREATE TABLE {}.probe (id int)").format(sql.Identifier(name))
                )
                cursor.execute(
                    sql.SQL("INSERT INTO {}.probe VALUES (1)").format(sql.Identifier(name))
                )

    def test_a_role_cannot_touch_another_schema_or_public(self, provisioned):
        connection = connect_as(provisioned, "todos")
        try:
            with connection.cursor() as cursor:
                for statement in (
                    "SELECT * FROM auth.probe",
                    "CREATE TABLE auth.intruder (id int)",
                    "CREATE TABLE public.intruder (id int)",
                ):
                    with pytest.raises(errors.InsufficientPrivilege):
                        cursor.execute(statement)
        finally:
            connection.close()

    def test_roles_match_the_embedded_provisioning(self, provisioned):
        # The SQL file is meant to be the same as provision_service_role: compare the
        # role and schema it leaves behind with those of the Python version.
        admin = psycopg2.connect(provisioned.url(database="todo"))
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                provision_service_role(cursor, "reference", "reference-password", "todo")
                attributes = {}
                for role in ("todos", "reference"):
                    cursor.execute(
                        "SELECT rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolsuper,"
                        " rolreplication, rolbypassrls FROM pg_roles WHERE rolname = %s",
                        (role,),
                    )
                    attributes[role] = cursor.fetchone()
                    cursor.execute(
                        "SELECT pg_get_userbyid(nspowner) = %s"
                        " FROM pg_namespace WHERE nspname = %s",
                        (role, role),
                    )
                    assert cursor.fetchone() == (True,), f"{role} does not own its schema"
                assert attributes["todos"] == attributes["reference"]
                assert attributes["todos"] == (True, False, False, False, False, False, False)
        finally:
            admin.close()

    def test_running_again_only_resets_passwords(self, provisioned):
        PASSWORDS["users"] = "users-rotated-password"
        try:
            completed = run_init_script(provisioned)
            assert completed.returncode == 0, completed.stderr
            with connect_as(provisioned, "users") as connection, connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM users.probe")
                assert cursor.fetchone() == (1,)
        finally:
            PASSWORDS["users"] = "users-test-password"
            run_init_script(provisioned)

    def test_a_missing_password_stops_the_script(self, cluster):
        environment = {
            "PATH": f"{_binary_dir()}:{os.environ['PATH']}",
            "SERVICE_ROLE_SQL": str(SERVICE_ROLE_SQL),
        }
        completed = run(["bash", str(INIT_SCRIPT)], env=environment, timeout=60, check=False)
        assert completed.returncode != 0
        assert "AUTH_DB_PASSWORD must be set" in completed.stderr
