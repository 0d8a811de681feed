"""The auth service's domain errors."""

from http import HTTPStatus

from todo_common.errors import Conflict, DomainError, TooManyRequests, Unauthorized


class EmailTaken(Conflict):
    default_detail = "An account with this email already exists"


class InvalidCredentials(Unauthorized):
    # The same words for an unknown email, a wrong password and a disabled account.
    default_detail = "Incorrect email or password"


class LoginLocked(TooManyRequests):
    default_detail = "Too many failed logins for this account; try again later"


class InvalidRefreshToken(Unauthorized):
    default_detail = "Refresh token is invalid, expired or revoked"


class MissingRefreshToken(InvalidRefreshToken):
    default_detail = (
        "No refresh token: send it in the body, or log in with X-Refresh-Token-Transport: cookie"
    )


class AccountUnavailable(Unauthorized):
    default_detail = "The account of this token no longer exists or is disabled"


class IncorrectPassword(Unauthorized):
    default_detail = "Current password is incorrect"


class InvalidClient(Unauthorized):
    default_detail = "Unknown client or wrong client secret"


class UnsupportedMediaType(DomainError):
    status_code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    default_detail = "Send the body as application/json or application/x-www-form-urlencoded"
