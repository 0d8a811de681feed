import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg2.errors
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from tests.fixtures import (
    API_PREFIX,
    UNREACHABLE_DATABASE_URL,
    database_down,
    make_client,
    make_settings,
)
from todo_common.database import SessionDep, create_db_engine, ping, transaction
from todo_common.embedded_postgres import EmbeddedPostgres
from todo_common.errors import Conflict
from todo_common.problem import PROBLEM_MEDIA_TYPE

EngineFactory = Callable[..., Engine]


@pytest.fixture(scope="module")
def engine_for(service_database_urls: dict[str, str]) -> Iterator[EngineFactory]:
    """Build engines as each service would (its own role and schema), disposed afterwards."""
    engines: list[Engine] = []

    def factory(service: str, *, model_schema: str | None = None, **overrides: Any) -> Engine:
        settings = make_settings(service_database_urls[service], schema=service, **overrides)
        engine = create_db_engine(settings, model_schema=model_schema or service)
        engines.append(engine)
        return engine

    yield factory
    for engine in engines:
        engine.dispose()


@pytest.fixture
def scratch_table(engine_for: EngineFactory) -> Iterator[str]:
    """`todos.scratch`, created by the todos role and dropped after the test."""
    engine = engine_for("todos")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE todos.scratch (id int PRIMARY KEY, note text)"))
    yield "todos.scratch"
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE todos.scratch"))


def count_rows(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


class TestServiceRoles:
    def test_role_cannot_read_another_services_schema(self, engine_for: EngineFactory) -> None:
        auth = engine_for("auth")
        with auth.begin() as connection:
            connection.execute(text("CREATE TABLE auth.credential (secret text)"))
            connection.execute(text("INSERT INTO auth.credential VALUES ('argon2-hash')"))
        try:
            with pytest.raises(ProgrammingError) as denied, engine_for("todos").connect() as todos:
                todos.execute(text("SELECT secret FROM auth.credential"))

            assert isinstance(denied.value.orig, psycopg2.errors.InsufficientPrivilege)
            assert "permission denied for schema auth" in str(denied.value.orig)
        finally:
            with auth.begin() as connection:
                connection.execute(text("DROP TABLE auth.credential"))

    def test_role_cannot_create_tables_outside_its_schema(self, engine_for: EngineFactory) -> None:
        for schema in ("public", "users"):
            with (
                pytest.raises(ProgrammingError) as denied,
                engine_for("todos").begin() as connection,
            ):
                connection.execute(text(f"CREATE TABLE {schema}.intruder (id int)"))

            assert isinstance(denied.value.orig, psycopg2.errors.InsufficientPrivilege)

    def test_role_owns_its_schema(self, engine_for: EngineFactory, scratch_table: str) -> None:
        with engine_for("todos").begin() as connection:
            connection.execute(text(f"INSERT INTO {scratch_table} VALUES (1, 'mine')"))  # noqa: S608

        assert count_rows(engine_for("todos"), scratch_table) == 1


class TestCreateDbEngine:
    def test_postgres_scheme_is_accepted(self, service_database_urls: dict[str, str]) -> None:
        url = service_database_urls["todos"].replace("postgresql://", "postgres://", 1)
        engine = create_db_engine(make_settings(url))

        ping(engine)
        engine.dispose()

    def test_connections_name_the_service(self, engine_for: EngineFactory) -> None:
        with engine_for("todos", service_name="todos-under-test").connect() as connection:
            name = connection.execute(text("SHOW application_name")).scalar_one()

        assert name == "todos-under-test"

    def test_models_of_another_schema_land_in_db_schema(self, engine_for: EngineFactory) -> None:
        # The models name `placeholder`; this deployment's role and schema are `users`.
        metadata = MetaData(schema="placeholder")
        note = Table(
            "note", metadata, Column("id", Integer, primary_key=True), Column("body", Text)
        )
        engine = engine_for("users", model_schema="placeholder")

        metadata.create_all(engine)
        try:
            with engine.begin() as connection:
                connection.execute(note.insert().values(id=1, body="hello"))
                where = connection.execute(
                    text("SELECT schemaname FROM pg_tables WHERE tablename = 'note'")
                ).scalar_one()
            assert where == "users"
        finally:
            metadata.drop_all(engine)

    def test_database_that_stays_down_fails_within_the_retry_budget(self) -> None:
        engine = create_db_engine(
            make_settings(UNREACHABLE_DATABASE_URL, db_connect_retry_seconds=1)
        )
        started = time.monotonic()

        with pytest.raises(OperationalError):
            ping(engine)

        # Retried for the whole budget, then given up promptly.
        assert 1.0 <= time.monotonic() - started < 4.0
        engine.dispose()

    def test_database_waking_up_within_the_budget_is_not_an_error(
        self, engine_for: EngineFactory, postgres: EmbeddedPostgres
    ) -> None:
        engine = engine_for("todos", db_connect_retry_seconds=30)
        with database_down(postgres):
            waking = threading.Timer(1.0, postgres.start)
            waking.start()
            try:
                ping(engine)
            finally:
                waking.join()


class TestPing:
    def test_answers_when_the_database_does(self, engine_for: EngineFactory) -> None:
        ping(engine_for("todos"))

    def test_raises_when_the_database_does_not(self) -> None:
        engine = create_db_engine(
            make_settings(UNREACHABLE_DATABASE_URL, db_connect_retry_seconds=0)
        )

        with pytest.raises(OperationalError):
            ping(engine)
        engine.dispose()


class TestTransaction:
    def test_commits_on_success(self, engine_for: EngineFactory, scratch_table: str) -> None:
        engine = engine_for("todos")

        with transaction(engine) as session:
            session.execute(text(f"INSERT INTO {scratch_table} VALUES (1, 'kept')"))  # noqa: S608

        assert count_rows(engine, scratch_table) == 1

    def test_rolls_back_on_error(self, engine_for: EngineFactory, scratch_table: str) -> None:
        engine = engine_for("todos")

        def insert_then_fail() -> None:
            with transaction(engine) as session:
                session.execute(text(f"INSERT INTO {scratch_table} VALUES (1, 'lost')"))  # noqa: S608
                raise RuntimeError("halfway")

        with pytest.raises(RuntimeError):
            insert_then_fail()

        assert count_rows(engine, scratch_table) == 0


router = APIRouter()


@router.post("/notes/{note_id}", status_code=201)
def create_note(note_id: int, session: SessionDep) -> dict[str, int]:
    session.execute(text("INSERT INTO todos.scratch (id) VALUES (:id)"), {"id": note_id})
    return {"id": note_id}


@router.post("/notes/{note_id}/then-fail")
def create_note_then_fail(note_id: int, session: SessionDep) -> None:
    session.execute(text("INSERT INTO todos.scratch (id) VALUES (:id)"), {"id": note_id})
    raise Conflict("Changed my mind")


@router.post("/unique-notes/{name}", status_code=201)
def create_unique_note(name: str, session: SessionDep) -> dict[str, str]:
    session.execute(text("INSERT INTO todos.unique_note (name) VALUES (:name)"), {"name": name})
    return {"name": name}


@pytest.fixture
def unique_note_table(engine_for: EngineFactory) -> Iterator[str]:
    """A table whose unique constraint is checked only at commit."""
    engine = engine_for("todos")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE todos.unique_note (name text, CONSTRAINT uq_unique_note_name"
                " UNIQUE (name) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    yield "todos.unique_note"
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE todos.unique_note"))


@pytest.fixture(scope="module")
def client(service_database_urls: dict[str, str]) -> Iterator[TestClient]:
    with make_client(router, settings=make_settings(service_database_urls["todos"])) as test_client:
        yield test_client


class TestSessionDep:
    def test_commits_when_the_handler_succeeds(
        self, client: TestClient, engine_for: EngineFactory, scratch_table: str
    ) -> None:
        response = client.post(f"{API_PREFIX}/notes/1")

        assert response.status_code == 201
        assert count_rows(engine_for("todos"), scratch_table) == 1

    def test_rolls_back_when_the_handler_raises(
        self, client: TestClient, engine_for: EngineFactory, scratch_table: str
    ) -> None:
        response = client.post(f"{API_PREFIX}/notes/1/then-fail")

        assert response.status_code == 409
        assert count_rows(engine_for("todos"), scratch_table) == 0

    def test_failed_commit_is_an_error_answer_not_a_success(
        self, client: TestClient, engine_for: EngineFactory, unique_note_table: str
    ) -> None:
        assert client.post(f"{API_PREFIX}/unique-notes/milk").status_code == 201

        response = client.post(f"{API_PREFIX}/unique-notes/milk")

        assert response.status_code == 409
        assert "uq_unique_note_name" in response.json()["detail"]
        assert count_rows(engine_for("todos"), unique_note_table) == 1

    def test_exhausted_pool_is_503_after_the_pool_timeout(
        self, service_database_urls: dict[str, str], scratch_table: str
    ) -> None:
        settings = make_settings(
            service_database_urls["todos"],
            db_pool_size=1,
            db_max_overflow=0,
            db_pool_timeout_seconds=0.3,
        )
        with make_client(router, settings=settings) as client:
            engine = client.app.state.engine
            with engine.connect():
                response = client.post(f"{API_PREFIX}/notes/1")
            assert client.post(f"{API_PREFIX}/notes/2").status_code == 201

        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert response.headers["retry-after"] == "2"

    def test_database_down_is_503_problem(
        self, client: TestClient, postgres: EmbeddedPostgres, scratch_table: str
    ) -> None:
        with database_down(postgres):
            started = time.monotonic()
            response = client.post(f"{API_PREFIX}/notes/1")
            elapsed = time.monotonic() - started

        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert response.headers["retry-after"] == "2"
        assert response.json()["detail"] == "The database is unavailable; retry shortly"
        assert elapsed < 5.0

        # Back up: the pool's dead connections are replaced without a restart.
        assert client.post(f"{API_PREFIX}/notes/2").status_code == 201
