"""`POST /internal/events` of the todos service: `user.deleted` removes the user's todos."""

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from tests.fixtures import TODOS, ApiUser
from todo_common.database import create_db_engine
from todo_common.events.envelope import EVENTS_PATH
from todo_common.testing.assertions import (
    assert_problem,
    assert_unauthorized,
    assert_validation_problem,
)
from todo_common.testing.harness import TokenFactory, mint_service_token
from todos.core.config import TodosSettings
from todos.schemas.todo import TodoCreate
from todos.services import creation
from todos.services.owners import ensure_active_owner

RowCounter = Callable[[str], dict[str, int]]
COUNTS = {
    "todo": text("SELECT count(*) FROM todos.todo WHERE owner_id = :owner"),
    "idempotency_key": text("SELECT count(*) FROM todos.idempotency_key WHERE owner_id = :owner"),
}


def user_deleted(
    client: TestClient,
    user_id: uuid.UUID | str,
    *,
    event_id: uuid.UUID | None = None,
    token: str | None = None,
    payload: dict[str, Any] | None = None,
) -> httpx.Response:
    """Deliver `user.deleted` as the users service's relay would."""
    envelope = {
        "id": str(event_id or uuid.uuid4()),
        "type": "user.deleted",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": payload if payload is not None else {"user_id": str(user_id)},
    }
    bearer = token if token is not None else mint_service_token("users", "todos")
    return client.post(EVENTS_PATH, json=envelope, headers={"Authorization": f"Bearer {bearer}"})


@pytest.fixture
def rows_of(
    settings: TodosSettings, client: TestClient
) -> Iterator[Callable[[str], dict[str, int]]]:
    """How many todos and idempotency keys an owner has, read from the database."""
    engine = create_db_engine(settings)

    def count(owner_id: str) -> dict[str, int]:
        with engine.connect() as connection:
            return {
                name: connection.execute(statement, {"owner": owner_id}).scalar_one()
                for name, statement in COUNTS.items()
            }

    yield count
    engine.dispose()


class TestUserDeleted:
    def test_removes_every_todo_of_the_user_and_no_one_elses(
        self, client: TestClient, alice: ApiUser, bob: ApiUser, rows_of: RowCounter
    ) -> None:
        alice.create_todos(*({"title": f"a{index}"} for index in range(3)))
        alice.request("POST", TODOS, json={"title": "Milk"}, headers={"Idempotency-Key": "k"})
        bobs = bob.create_todos({"title": "b"})

        response = user_deleted(client, alice.id)

        assert response.status_code == 204
        assert rows_of(str(alice.id)) == {"todo": 0, "idempotency_key": 0}
        assert bob.list_all() == bobs

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("GET", TODOS, None),
            ("POST", TODOS, {"title": "after the deletion"}),
            ("GET", f"{TODOS}/{uuid.uuid4()}", None),
            ("PATCH", f"{TODOS}/{uuid.uuid4()}", {"title": "x"}),
            ("DELETE", f"{TODOS}/{uuid.uuid4()}", None),
        ],
    )
    def test_the_deleted_accounts_token_is_refused_at_once(
        self,
        client: TestClient,
        alice: ApiUser,
        rows_of: RowCounter,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        user_deleted(client, alice.id)

        response = alice.request(method, path, json=body)

        problem = assert_unauthorized(response)
        assert problem["detail"] == "This account has been deleted"
        assert rows_of(str(alice.id)) == {"todo": 0, "idempotency_key": 0}

    def test_a_create_in_flight_during_the_deletion_does_not_survive_it(
        self, client: TestClient, alice: ApiUser, settings: TodosSettings, rows_of: RowCounter
    ) -> None:
        # A create that started before the event holds the owner's lock until it commits;
        # the event waits for it, then erases what it wrote.
        engine = create_db_engine(settings)
        delivered = threading.Event()
        owner_id = uuid.UUID(str(alice.id))
        try:
            # What POST /todos does inside its request transaction, paused before commit.
            with Session(engine) as request:
                ensure_active_owner(request, owner_id=owner_id)
                creation.create_todo(
                    request,
                    owner_id=owner_id,
                    data=TodoCreate(title="in flight"),
                    idempotency_key="in-flight",
                    key_ttl=timedelta(hours=1),
                )
                delivery = threading.Thread(
                    target=lambda: (user_deleted(client, alice.id), delivered.set())
                )
                delivery.start()
                # The event waits for the request in flight.
                assert not delivered.wait(timeout=1)
                request.commit()
            delivery.join(timeout=10)
        finally:
            engine.dispose()

        assert delivered.is_set()
        assert rows_of(str(alice.id)) == {"todo": 0, "idempotency_key": 0}

    def test_redelivery_changes_nothing(
        self, client: TestClient, alice: ApiUser, bob: ApiUser
    ) -> None:
        event_id = uuid.uuid4()
        bobs = bob.create_todos({"title": "b"})
        user_deleted(client, alice.id, event_id=event_id)

        response = user_deleted(client, alice.id, event_id=event_id)

        assert response.status_code == 204
        assert bob.list_all() == bobs

    def test_user_without_todos_is_acknowledged(self, client: TestClient) -> None:
        assert user_deleted(client, uuid.uuid4()).status_code == 204

    @pytest.mark.parametrize("payload", [{}, {"user_id": "not-a-uuid"}, {"user_id": None}], ids=str)
    def test_invalid_payload_is_422_and_removes_nothing(
        self, client: TestClient, alice: ApiUser, payload: dict[str, Any]
    ) -> None:
        todos = alice.create_todos({"title": "kept"})

        response = user_deleted(client, alice.id, payload=payload)

        assert_validation_problem(response, "body", "payload", "user_id")
        assert alice.list_all() == todos


class TestCallers:
    def test_without_token_is_401(self, client: TestClient, alice: ApiUser) -> None:
        todos = alice.create_todos({"title": "kept"})

        assert_unauthorized(client.post(EVENTS_PATH, json={"user_id": str(alice.id)}))
        assert alice.list_all() == todos

    def test_service_token_for_another_service_is_401(
        self, client: TestClient, alice: ApiUser
    ) -> None:
        todos = alice.create_todos({"title": "kept"})
        token = mint_service_token("users", "auth")

        assert_unauthorized(user_deleted(client, alice.id, token=token))
        assert alice.list_all() == todos

    def test_user_token_is_403_even_for_their_own_id(
        self, client: TestClient, alice: ApiUser
    ) -> None:
        todos = alice.create_todos({"title": "kept"})

        assert_problem(user_deleted(client, alice.id, token=alice.token), 403)
        assert alice.list_all() == todos

    def test_admin_token_is_403(
        self, client: TestClient, make_token: TokenFactory, alice: ApiUser
    ) -> None:
        todos = alice.create_todos({"title": "kept"})

        response = user_deleted(client, alice.id, token=make_token(role="admin"))

        assert_problem(response, 403)
        assert alice.list_all() == todos
