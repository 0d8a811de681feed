"""The todos service's domain errors."""

from todo_common.errors import NotFound, UnprocessableContent


class TodoNotFound(NotFound):
    default_detail = "Todo not found"


class IdempotencyKeyReused(UnprocessableContent):
    default_detail = (
        "This Idempotency-Key was already used with a different request body; "
        "use a new key for a new todo"
    )
