"""The users service's tables, all in its own schema."""

from users.models.base import SCHEMA
from users.models.profile import DeletedUser, Profile

__all__ = ["SCHEMA", "DeletedUser", "Profile"]
