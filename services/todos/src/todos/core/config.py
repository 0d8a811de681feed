"""The todos service's settings."""

from datetime import timedelta

from pydantic import Field, PositiveInt

from todo_common.settings import CommonSettings
from todos.models import SCHEMA


class TodosSettings(CommonSettings):
    service_name: str = "todos"
    db_schema: str = Field(default=SCHEMA, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    # How long a create's Idempotency-Key is remembered (Stripe and the IETF draft use a day).
    idempotency_key_ttl_hours: PositiveInt = 24

    @property
    def idempotency_key_ttl(self) -> timedelta:
        return timedelta(hours=self.idempotency_key_ttl_hours)
