from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.errors
import pytest
from sqlalchemy.engine import make_url

from tests.fixtures import database_down
from todo_common.embedded_postgres import EmbeddedPostgres

DATABASE = "scratch"


@contextmanager
def cursor_for(url: str) -> Iterator["psycopg2.extensions.cursor"]:
    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


class TestEnsureServiceDatabases:
    def test_each_service_gets_a_role_owning_its_schema(self, postgres: EmbeddedPostgres) -> None:
        urls = postgres.ensure_service_databases(["alpha", "beta"], database=DATABASE)

        with cursor_for(urls["alpha"]) as cursor:
            cursor.execute("CREATE TABLE alpha.thing (id int)")
            cursor.execute("DROP TABLE alpha.thing")
            for schema in ("beta", "public"):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cursor.execute(f"CREATE TABLE {schema}.thing (id int)")

    def test_rerun_is_idempotent_and_hands_out_fresh_passwords(
        self, postgres: EmbeddedPostgres
    ) -> None:
        first = postgres.ensure_service_databases(["gamma"], database=DATABASE)["gamma"]

        second = postgres.ensure_service_databases(["gamma"], database=DATABASE)["gamma"]

        assert first != second
        with pytest.raises(psycopg2.OperationalError):
            psycopg2.connect(first)
        with cursor_for(second) as cursor:
            cursor.execute("SELECT 1")


class TestUrl:
    def test_credentials_with_url_characters_survive(self, postgres: EmbeddedPostgres) -> None:
        url = make_url(postgres.url(user="odd/user", password="p@ss:w/rd?#%"))

        assert url.username == "odd/user"
        assert url.password == "p@ss:w/rd?#%"
        assert url.host == postgres.host
        assert url.port == postgres.port
        assert url.database == "postgres"


class TestTestCluster:
    def test_survives_another_pytest_session_narrowing_the_shared_temp_root(
        self, postgres: EmbeddedPostgres, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        # A pytest session starting anywhere on the machine does this to
        # /tmp/pytest-of-<user>; the server's own account must still reach its data.
        tmp_path_factory.getbasetemp().parent.chmod(0o700)

        with database_down(postgres):
            assert not postgres.is_running()

        with cursor_for(postgres.url()) as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
