"""Creating todos, with `Idempotency-Key` replay that holds under concurrent retries."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, delete, select

from todo_common.tables import utc_now
from todos.models import IdempotencyRecord
from todos.schemas.todo import TodoCreate, TodoPublic
from todos.services.errors import IdempotencyKeyReused
from todos.services.owners import refuse_if_deleted
from todos.services.todos import TodoSnapshot, insert_todo


@dataclass(frozen=True)
class CreatedTodo:
    snapshot: TodoSnapshot
    # True when this answer replays the first request made with the same key.
    replayed: bool


def create_todo(
    session: Session,
    *,
    owner_id: uuid.UUID,
    data: TodoCreate,
    idempotency_key: str | None,
    key_ttl: timedelta,
) -> CreatedTodo:
    """A new todo (or the replay of the first create with `idempotency_key`).

    The caller holds the owner's lock (`owners.ensure_active_owner`); the deletion check is
    repeated here because new rows must never outlive a `user.deleted` (services/owners.py).
    """
    refuse_if_deleted(session, owner_id=owner_id)
    if idempotency_key is None:
        return CreatedTodo(insert_todo(session, owner_id=owner_id, data=data), False)

    fingerprint = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
    if not _claim_key(session, owner_id, idempotency_key, fingerprint, key_ttl):
        return CreatedTodo(_replay(session, owner_id, idempotency_key, fingerprint), True)

    snapshot = insert_todo(session, owner_id=owner_id, data=data)
    record = session.get_one(IdempotencyRecord, (owner_id, idempotency_key))
    record.todo_id = snapshot.todo.id
    record.response_body = snapshot.todo.model_dump(mode="json")
    record.response_version = snapshot.version
    session.add(record)
    session.flush()
    return CreatedTodo(snapshot, False)


def purge_expired_keys(session: Session, *, ttl: timedelta) -> int:
    """Forget every Idempotency-Key older than `ttl`; the number forgotten."""
    result = session.exec(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < utc_now() - ttl)
    )
    return int(result.rowcount or 0)


def _claim_key(
    session: Session, owner_id: uuid.UUID, key: str, fingerprint: str, ttl: timedelta
) -> bool:
    """Reserve the key for this request; False when an earlier request holds it.

    A concurrent retry's INSERT waits on the unique index until the first transaction ends:
    if that one commits, the retry replays its result; if it rolls back, the retry claims
    the key itself. So one key yields one todo, however the retries interleave.
    """
    # A key older than its TTL is forgotten, and may start a new create.
    session.exec(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.owner_id) == owner_id,
            col(IdempotencyRecord.key) == key,
            col(IdempotencyRecord.created_at) < utc_now() - ttl,
        )
    )
    claimed = session.exec(
        insert(IdempotencyRecord)
        .values(owner_id=owner_id, key=key, request_fingerprint=fingerprint, created_at=utc_now())
        .on_conflict_do_nothing()
        .returning(col(IdempotencyRecord.key))
    ).first()
    return claimed is not None


def _replay(session: Session, owner_id: uuid.UUID, key: str, fingerprint: str) -> TodoSnapshot:
    record = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.owner_id == owner_id, IdempotencyRecord.key == key
        )
    ).one()
    if record.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if record.response_body is None or record.response_version is None:
        # The record and its answer are written in one transaction, so this cannot happen
        # unless someone edited the table by hand.
        raise RuntimeError(f"idempotency record {key!r} has no stored response")
    return TodoSnapshot(TodoPublic.model_validate(record.response_body), record.response_version)
