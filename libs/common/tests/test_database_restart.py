"""A PostgreSQL restart under load: no 500, ever, and full service once it is back.

The engine does not ping connections on every checkout (a round trip per request); this is
what keeps that safe. Connections opened before the restart are dead afterwards: the first
one used fails (503 while the database is away), which invalidates the whole pool, so no
request after the restart is handed one of them.
"""

import threading
import time
from collections.abc import Iterator

import psycopg2
import pytest
from fastapi import APIRouter
from sqlalchemy import text

from tests.fixtures import API_PREFIX, database_down, make_client, make_settings
from todo_common.database import ReadEngineDep, SessionDep
from todo_common.embedded_postgres import EmbeddedPostgres

LOAD_THREADS = 4
# Requests already waiting for a connection when the server comes back may still fail;
# everything sent this long after it is back must succeed.
SETTLING_SECONDS = 0.5
MEASURED_SECONDS = 2.0

router = APIRouter()


@router.get("/restart-notes")
def count_notes(reads: ReadEngineDep) -> dict[str, int]:
    with reads.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM todos.restart_note")).scalar_one()
    return {"count": int(count)}


@router.post("/restart-notes", status_code=201)
def add_note(session: SessionDep) -> dict[str, str]:
    session.execute(text("INSERT INTO todos.restart_note DEFAULT VALUES"))
    return {"added": "yes"}


def _run_sql(url: str, statement: str) -> None:
    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture
def note_table(service_database_urls: dict[str, str]) -> Iterator[None]:
    # A connection each: one opened before the restart is dead after it.
    _run_sql(
        service_database_urls["todos"], "CREATE TABLE todos.restart_note (id serial PRIMARY KEY)"
    )
    yield
    _run_sql(service_database_urls["todos"], "DROP TABLE todos.restart_note")


def test_restart_under_load_gives_no_500_and_full_service_once_back(
    service_database_urls: dict[str, str], postgres: EmbeddedPostgres, note_table: None
) -> None:
    settings = make_settings(service_database_urls["todos"], db_pool_size=LOAD_THREADS)
    answers: list[tuple[float, str, int]] = []
    stop = threading.Event()

    with make_client(router, settings=settings) as client:

        def load(writer: bool) -> None:
            while not stop.is_set():
                if writer:
                    status = client.post(f"{API_PREFIX}/restart-notes").status_code
                else:
                    status = client.get(f"{API_PREFIX}/restart-notes").status_code
                answers.append((time.monotonic(), "write" if writer else "read", status))

        workers = [
            threading.Thread(target=load, args=(index % 2 == 0,)) for index in range(LOAD_THREADS)
        ]
        for worker in workers:
            worker.start()
        try:
            time.sleep(0.5)  # every pooled connection is open and in use
            stopping = time.monotonic()
            with database_down(postgres):
                time.sleep(1.0)
            back = time.monotonic()
            time.sleep(SETTLING_SECONDS + MEASURED_SECONDS)
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=30)

    statuses = {status for _, _, status in answers}
    assert statuses <= {200, 201, 503}, f"unexpected answers: {sorted(statuses)}"
    before = [status for at, _, status in answers if at < stopping]
    after = [(kind, status) for at, kind, status in answers if at > back + SETTLING_SECONDS]
    assert before
    assert set(before) <= {200, 201}
    assert 503 in statuses  # the outage was seen, so the connections really did die
    assert {kind for kind, _ in after} == {"read", "write"}
    assert all(status in (200, 201) for _, status in after), after
