"""The todos service's settings."""

from datetime import timedelta

from pydantic import PositiveInt

from todo_common.settings import CommonSettings


class TodosSettings(CommonSettings):
    service_name: str = "todos"
    # todos publishes no events (it takes user.deleted): it runs no relay, and so needs no
    # service tokens whatever EVENT_SUBSCRIBERS lists.
    outbox_relay_enabled: bool = False
    # How long a create's Idempotency-Key is remembered (Stripe and the IETF draft use a day).
    idempotency_key_ttl_hours: PositiveInt = 24

    @property
    def idempotency_key_ttl(self) -> timedelta:
        return timedelta(hours=self.idempotency_key_ttl_hours)
