"""Owners whose account was deleted: refused at once, and nothing of theirs outlives it.

`user.deleted` arrives some time after the deletion (the users service's outbox relay), and
requests of the same account may be in flight meanwhile. Two rules close every gap:

- The event's handler takes an owner-wide exclusive lock, records the owner as deleted, and
  erases their rows: it waits for requests of that owner in flight to finish, so their
  writes are erased too.
- Every request takes the same lock shared and checks the record (one statement), so from
  the event on, the owner is refused (401). A create re-checks after holding the lock: the
  first statement's snapshot may predate an erasure that committed while it waited.

The lock is a transaction-scoped advisory lock on (this service, the owner id): no row to
lock exists for a deleted owner, and it is released by the commit that ends the request.
"""

import uuid

from sqlalchemy import ColumnElement, Connection, exists, func, literal
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, delete, select

from todo_common.errors import AccountDeleted
from todo_common.tables import utc_now
from todos.models import DeletedOwner, IdempotencyRecord, Todo

# The first key of the two-key advisory lock: a namespace for "owner" locks of this service.
_OWNER_LOCK_SPACE = 0x746F646F  # "todo"


def _owner_lock_key(owner_id: uuid.UUID) -> ColumnElement[int]:
    return func.hashtext(literal(str(owner_id)))


def ensure_active_owner(session: Session | Connection, *, owner_id: uuid.UUID) -> None:
    """Hold `owner_id`'s lock (shared) for this transaction; `AccountDeleted` if they are gone.

    On an autocommit connection (the one-statement reads) the lock lasts the statement: it
    still waits for an erasure in flight, and the owner is refused once it has committed.
    """
    _, deleted = session.execute(
        select(
            func.pg_advisory_xact_lock_shared(_OWNER_LOCK_SPACE, _owner_lock_key(owner_id)),
            exists().where(col(DeletedOwner.id) == owner_id),
        )
    ).one()
    if deleted:
        raise AccountDeleted()


def refuse_if_deleted(session: Session, *, owner_id: uuid.UUID) -> None:
    """The check again, in a snapshot taken after the lock is held (before adding rows)."""
    if session.exec(select(exists().where(col(DeletedOwner.id) == owner_id))).one():
        raise AccountDeleted()


def erase_owner(session: Session, *, owner_id: uuid.UUID) -> int:
    """Record `owner_id` as deleted and delete everything of theirs; how many todos went."""
    # Waits for the owner's requests in flight; later ones find the record.
    session.exec(select(func.pg_advisory_xact_lock(_OWNER_LOCK_SPACE, _owner_lock_key(owner_id))))
    session.exec(
        insert(DeletedOwner)
        .values(id=owner_id, deleted_at=utc_now())
        .on_conflict_do_nothing(index_elements=["id"])
    )
    removed = session.exec(delete(Todo).where(col(Todo.owner_id) == owner_id))
    session.exec(delete(IdempotencyRecord).where(col(IdempotencyRecord.owner_id) == owner_id))
    return int(removed.rowcount)
