"""The todos service's domain errors."""

from todo_common.errors import NotFound, UnprocessableContent


class TodoNotFound(NotFound):
    default_detail = "Todo not found"


class IdempotencyKeyReused(UnprocessableContent):
    default_detail = (
        "This Idempotency-Key was already used with a different request body; "
        "use a new key for a new todo"
    )

    def __init__(self) -> None:
        # Every 422 names what is wrong in `errors` (docs/api.md); here it is the header.
        super().__init__(
            errors=[
                {
                    "loc": ["header", "idempotency-key"],
                    "msg": "already used with a different request body",
                    "type": "idempotency_key_reused",
                }
            ]
        )
