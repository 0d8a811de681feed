"""The users service's settings."""

from pydantic import Field

from todo_common.settings import CommonSettings
from users.models import SCHEMA


class UsersSettings(CommonSettings):
    service_name: str = "users"
    db_schema: str = Field(default=SCHEMA, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
