"""The todos service's tables, all in its own schema."""

from todos.models.deleted_owner import DeletedOwner
from todos.models.idempotency import IdempotencyRecord
from todos.models.todo import Priority, Todo

__all__ = ["DeletedOwner", "IdempotencyRecord", "Priority", "Todo"]
