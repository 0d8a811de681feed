"""`purge_expired_keys`: Idempotency-Keys past their TTL are forgotten, younger ones kept."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select, update

from tests.fixtures import TODOS, ApiUser, new_user
from todo_common.tables import utc_now
from todo_common.testing.harness import TokenFactory
from todos.models import IdempotencyRecord
from todos.services.creation import purge_expired_keys

DAY = timedelta(hours=24)


def create_with_key(user: ApiUser, key: str) -> None:
    response = user.request("POST", TODOS, json={"title": key}, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.text


def test_only_keys_older_than_the_ttl_are_forgotten(
    client: TestClient, make_token: TokenFactory
) -> None:
    alice = new_user(client, make_token)
    create_with_key(alice, "old")
    create_with_key(alice, "recent")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session, session.begin():
        session.exec(
            update(IdempotencyRecord)
            .where(col(IdempotencyRecord.key) == "old")
            .values(created_at=utc_now() - DAY - timedelta(minutes=1))
        )

    with Session(engine) as session, session.begin():
        forgotten = purge_expired_keys(session, ttl=DAY)
    with Session(engine) as session:
        kept = session.exec(select(IdempotencyRecord.key)).all()

    assert forgotten == 1
    assert kept == ["recent"]
