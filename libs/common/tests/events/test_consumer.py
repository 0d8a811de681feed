"""`event_router` and `consume_event`: each event applied once, in the effect's transaction."""

import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlmodel import Session

from tests.events.conftest import SettingsFactory
from tests.events.outbox_helpers import SCHEMA
from tests.fixtures import make_app
from todo_common.events.consumer import event_router
from todo_common.events.envelope import EVENTS_PATH
from todo_common.testing.assertions import (
    assert_problem,
    assert_unauthorized,
    assert_validation_problem,
)
from todo_common.testing.harness import TokenFactory, mint_service_token


class NoteTaken(BaseModel):
    note: str


class Handlers:
    """Handlers whose effect is a row in `auth.effect`; `broken` makes them fail."""

    def __init__(self) -> None:
        self.broken = False

    def note_taken(self, session: Session, payload: dict[str, Any]) -> None:
        event = NoteTaken.model_validate(payload)
        if self.broken:
            raise RuntimeError("the handler has a bug")
        session.connection().execute(
            text(f"INSERT INTO {SCHEMA}.effect (note) VALUES (:note)"),  # noqa: S608
            {"note": event.note},
        )


@pytest.fixture(scope="module")
def effect_table(engine: Engine) -> Iterator[None]:
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {SCHEMA}.effect (note text NOT NULL)"))
    yield
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {SCHEMA}.effect"))


@pytest.fixture
def handlers(engine: Engine, effect_table: None) -> Iterator[Handlers]:
    yield Handlers()
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {SCHEMA}.effect"))


@pytest.fixture
def client(events_settings: SettingsFactory, handlers: Handlers) -> Iterator[TestClient]:
    app = make_app(
        settings=events_settings(),
        internal_routers=[event_router({"note.taken": handlers.note_taken})],
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def deliver(
    client: TestClient,
    event_id: uuid.UUID,
    payload: dict[str, Any],
    *,
    event_type: str = "note.taken",
    token: str | None = None,
) -> httpx.Response:
    envelope = {
        "id": str(event_id),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": payload,
    }
    bearer = token if token is not None else mint_service_token("users", SCHEMA)
    return client.post(EVENTS_PATH, json=envelope, headers={"Authorization": f"Bearer {bearer}"})


def effects(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text(f"SELECT note FROM {SCHEMA}.effect")).scalars())  # noqa: S608


def processed(engine: Engine) -> list[tuple[uuid.UUID, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT event_id, event_type FROM {SCHEMA}.processed_event")  # noqa: S608
        )
        return [(row[0], row[1]) for row in rows]


class TestConsume:
    def test_applies_the_event_and_records_it(self, client: TestClient, engine: Engine) -> None:
        event_id = uuid.uuid4()

        response = deliver(client, event_id, {"note": "hello"})

        assert response.status_code == 204
        assert response.content == b""
        assert effects(engine) == ["hello"]
        assert processed(engine) == [(event_id, "note.taken")]

    def test_redelivery_is_acknowledged_without_effect(
        self, client: TestClient, engine: Engine
    ) -> None:
        event_id = uuid.uuid4()
        deliver(client, event_id, {"note": "once"})

        again = deliver(client, event_id, {"note": "once"})

        assert again.status_code == 204
        assert effects(engine) == ["once"]

    def test_concurrent_duplicates_take_effect_once(
        self, client: TestClient, engine: Engine
    ) -> None:
        event_id = uuid.uuid4()
        statuses: list[int] = []
        barrier = threading.Barrier(8)

        def send() -> None:
            barrier.wait()
            statuses.append(deliver(client, event_id, {"note": "racing"}).status_code)

        threads = [threading.Thread(target=send) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert statuses == [204] * 8
        assert effects(engine) == ["racing"]

    def test_failed_handler_records_nothing_so_a_redelivery_applies(
        self, client: TestClient, engine: Engine, handlers: Handlers
    ) -> None:
        event_id = uuid.uuid4()
        handlers.broken = True

        assert_problem(deliver(client, event_id, {"note": "retry me"}), 500)
        assert processed(engine) == []

        handlers.broken = False
        assert deliver(client, event_id, {"note": "retry me"}).status_code == 204
        assert effects(engine) == ["retry me"]

    def test_unknown_type_is_acknowledged_logged_and_not_recorded(
        self, client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="todo_common.events.consumer")
        event_id = uuid.uuid4()

        response = deliver(client, event_id, {"note": "?"}, event_type="note.erased")

        assert response.status_code == 204
        assert effects(engine) == []
        assert processed(engine) == []
        [record] = caplog.records
        assert record.message == "event of an unknown type acknowledged without effect"
        assert vars(record)["event_type"] == "note.erased"

    def test_payload_the_handler_cannot_read_is_422_and_not_recorded(
        self, client: TestClient, engine: Engine
    ) -> None:
        response = deliver(client, uuid.uuid4(), {"text": "wrong field"})

        assert_validation_problem(response, "body", "payload", "note")
        assert processed(engine) == []

    @pytest.mark.parametrize(
        ("changes", "loc"),
        [
            ({"id": None}, "id"),
            ({"id": "not-a-uuid"}, "id"),
            ({"type": None}, "type"),
            ({"type": ""}, "type"),
            ({"occurred_at": "yesterday"}, "occurred_at"),
            ({"occurred_at": "2030-01-01T00:00:00"}, "occurred_at"),
            ({"payload": None}, "payload"),
            ({"payload": [1, 2]}, "payload"),
        ],
        ids=lambda value: str(value)[:30],
    )
    def test_malformed_envelope_is_422(
        self, client: TestClient, engine: Engine, changes: dict[str, Any], loc: str
    ) -> None:
        envelope = {
            "id": str(uuid.uuid4()),
            "type": "note.taken",
            "occurred_at": "2030-01-01T00:00:00Z",
            "payload": {"note": "x"},
        }
        # None stands for "left out".
        for field, value in changes.items():
            if value is None:
                envelope.pop(field)
            else:
                envelope[field] = value
        token = mint_service_token("users", SCHEMA)

        response = client.post(
            EVENTS_PATH, json=envelope, headers={"Authorization": f"Bearer {token}"}
        )

        assert_validation_problem(response, "body", loc)
        assert effects(engine) == []


class TestCallers:
    def test_missing_token_is_401_and_has_no_effect(
        self, client: TestClient, engine: Engine
    ) -> None:
        response = client.post(EVENTS_PATH, json={"note": "x"})

        assert_unauthorized(response)
        assert effects(engine) == []

    def test_service_token_for_another_service_is_401(
        self, client: TestClient, engine: Engine
    ) -> None:
        token = mint_service_token("users", "todos")

        assert_unauthorized(deliver(client, uuid.uuid4(), {"note": "x"}, token=token))
        assert effects(engine) == []

    def test_user_token_is_403_and_has_no_effect(
        self, client: TestClient, engine: Engine, make_token: TokenFactory
    ) -> None:
        response = deliver(client, uuid.uuid4(), {"note": "x"}, token=make_token(role="admin"))

        assert_problem(response, 403)
        assert effects(engine) == []

    def test_route_is_outside_the_public_prefix_and_document(self, client: TestClient) -> None:
        document = client.get("/api/v1/widgets/openapi.json").json()

        assert EVENTS_PATH not in document["paths"]
        assert f"/api/v1/widgets{EVENTS_PATH}" not in document["paths"]
