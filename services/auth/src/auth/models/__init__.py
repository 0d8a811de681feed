"""The auth service's tables, all in its own schema."""

from auth.models.account import Account, Role
from auth.models.login_failure import LoginFailure
from auth.models.refresh_token import RefreshToken

__all__ = ["Account", "LoginFailure", "RefreshToken", "Role"]
