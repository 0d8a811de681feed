"""The auth service's tables, all in its own schema."""

from auth.models.account import Account, Role
from auth.models.base import SCHEMA
from auth.models.login_failure import LoginFailure
from auth.models.refresh_token import RefreshToken

__all__ = ["SCHEMA", "Account", "LoginFailure", "RefreshToken", "Role"]
