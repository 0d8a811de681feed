"""Domain errors: what services raise. The problem handlers turn them into HTTP answers."""

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar


class DomainError(Exception):
    """A failure a client can act on: it carries the HTTP status and a client-safe detail."""

    status_code: ClassVar[int] = HTTPStatus.BAD_REQUEST
    default_detail: ClassVar[str] = "The request cannot be processed"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        self.headers = dict(headers or {})
        self.errors = list(errors) if errors is not None else None
        super().__init__(self.detail)


class NotFound(DomainError):
    status_code = HTTPStatus.NOT_FOUND
    default_detail = "Resource not found"


class Conflict(DomainError):
    status_code = HTTPStatus.CONFLICT
    default_detail = "The request conflicts with the current state of the resource"


class PreconditionFailed(DomainError):
    status_code = HTTPStatus.PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it"


class Unauthorized(DomainError):
    status_code = HTTPStatus.UNAUTHORIZED
    default_detail = "Not authenticated"

    def __init__(self, detail: str | None = None) -> None:
        # RFC 6750: a 401 tells the client which scheme to use.
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class AccountDeleted(Unauthorized):
    # An access token outlives the account it names until it expires; users and todos
    # refuse it once they have heard of the deletion (the `user.deleted` event).
    default_detail = "This account has been deleted"


class Forbidden(DomainError):
    status_code = HTTPStatus.FORBIDDEN
    default_detail = "You are not allowed to do this"


class UnprocessableContent(DomainError):
    """A request that is well-formed but invalid; `errors` uses the validation error shape."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    default_detail = "The request is invalid"

    @classmethod
    def for_field(cls, location: Sequence[str], message: str, kind: str) -> "UnprocessableContent":
        where = ".".join(location)
        return cls(
            f"{where}: {message}",
            errors=[{"loc": list(location), "msg": message, "type": kind}],
        )


class TooManyRequests(DomainError):
    status_code = HTTPStatus.TOO_MANY_REQUESTS
    default_detail = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after_seconds: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_seconds))})


class ServiceUnavailable(DomainError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable; retry shortly"

    def __init__(self, detail: str | None = None, *, retry_after_seconds: int = 2) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_seconds)})
