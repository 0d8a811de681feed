"""The users service's tables, all in its own schema."""

from users.models.profile import DeletedUser, Profile

__all__ = ["DeletedUser", "Profile"]
