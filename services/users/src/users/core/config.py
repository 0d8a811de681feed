"""The users service's settings."""

from pydantic import Field

from todo_common.settings import CommonSettings, ServiceName
from users.models import SCHEMA


class UsersSettings(CommonSettings):
    service_name: str = "users"
    db_schema: str = Field(default=SCHEMA, pattern=r"^[a-z_][a-z0-9_]{0,62}$")

    # Who receives `user.deleted` (the outbox writes one message per subscriber): auth
    # removes the account, todos the user's todos.
    user_deleted_subscribers: list[ServiceName] = ["auth", "todos"]
