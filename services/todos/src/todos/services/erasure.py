"""Forgetting a deleted user: their todos and the creates remembered for their retries."""

import uuid

from sqlalchemy import delete
from sqlmodel import Session, col

from todos.models import IdempotencyRecord, Todo


def erase_owner(session: Session, *, owner_id: uuid.UUID) -> int:
    """Delete everything `owner_id` has here; return how many todos went."""
    removed = session.exec(delete(Todo).where(col(Todo.owner_id) == owner_id))
    session.exec(delete(IdempotencyRecord).where(col(IdempotencyRecord.owner_id) == owner_id))
    return int(removed.rowcount)
