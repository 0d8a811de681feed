"""The users service's settings."""

from todo_common.settings import CommonSettings, ServiceName


class UsersSettings(CommonSettings):
    service_name: str = "users"

    # Who receives `user.deleted` (the outbox writes one message per subscriber): auth
    # removes the account, todos the user's todos.
    user_deleted_subscribers: list[ServiceName] = ["auth", "todos"]
