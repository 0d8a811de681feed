"""RFC 9457 problem+json: the one shape of every error answer, from every service."""

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from todo_common.errors import DomainError
from todo_common.request_context import current_request_id

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
# A 422 lists at most this many errors: a body with 60,000 unknown keys must not earn a
# 5 MB answer. `errors_omitted` says how many more there were.
MAX_LISTED_ERRORS = 50


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


_STANDARD_MEANINGS = {
    401: "Missing, expired or invalid bearer token",
    403: "The caller may not do this",
    404: "No such resource (or not yours)",
    409: "Conflicts with existing data",
    412: "If-Match does not match the current ETag",
    415: "The body's media type is not accepted",
    422: "The request is invalid",
    429: "Too many requests; see Retry-After",
    503: "A dependency is unavailable; retry shortly",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the error statuses a route can answer."""
    return {
        status: {"description": _STANDARD_MEANINGS[status], "content": {PROBLEM_MEDIA_TYPE: {}}}
        for status in statuses
    }


def problem_response(
    status: int,
    detail: str,
    *,
    instance: str,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
) -> ProblemResponse:
    """Build a problem+json response; `detail` must be safe to show a client.

    `errors` beyond the first `MAX_LISTED_ERRORS` are left out and counted in
    `errors_omitted`.
    """
    request_id = current_request_id()
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _title(status),
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": request_id,
    }
    if errors is not None:
        body["errors"] = list(errors[:MAX_LISTED_ERRORS])
        if len(errors) > MAX_LISTED_ERRORS:
            body["errors_omitted"] = len(errors) - MAX_LISTED_ERRORS
    response_headers = dict(headers or {})
    if request_id:
        response_headers["X-Request-ID"] = request_id
    return ProblemResponse(body, status_code=status, headers=response_headers)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def render_problem(request: Request, error: Exception) -> ProblemResponse:
    """The exception handler for every error class `register_problem_handlers` names."""
    instance = request.url.path
    match error:
        case DomainError():
            return problem_response(
                error.status_code,
                error.detail,
                instance=instance,
                headers=error.headers,
                errors=error.errors,
            )
        case HTTPException():
            return _http_error(request, error)
        case RequestValidationError():
            return _validation_error(instance, error)
        case IntegrityError():
            return _integrity_error(instance, error)
        case OperationalError() if _is_statement_timeout(error):
            return _statement_timeout(instance)
        case OperationalError() | PoolTimeoutError():
            return _database_unavailable(instance, error)
        case DBAPIError() if error.connection_invalidated:
            return _database_unavailable(instance, error)
        case _:
            # Any other database error is our bug, and its SQL must not reach the client.
            return unexpected_error_response(instance, error)


def _http_error(request: Request, error: HTTPException) -> ProblemResponse:
    detail = error.detail if isinstance(error.detail, str) else _title(error.status_code)
    if error.status_code == HTTPStatus.NOT_FOUND and detail == "Not Found":
        detail = f"No route matches {request.method} {request.url.path}"
    return problem_response(
        error.status_code, detail, instance=request.url.path, headers=error.headers
    )


def _readable_location(location: Sequence[Any]) -> str:
    return ".".join(str(part) for part in location)


def _validation_error(instance: str, error: RequestValidationError) -> ProblemResponse:
    # Never echo `input`: it may be a password.
    errors = [
        {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
        for item in error.errors()
    ]
    first = errors[0] if errors else None
    detail = f"{_readable_location(first['loc'])}: {first['msg']}" if first else "Invalid request"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, detail, instance=instance, errors=errors
    )


def _integrity_error(instance: str, error: IntegrityError) -> ProblemResponse:
    # Services turn the conflicts they expect into domain errors; this is the safety net,
    # and the constraint name is all a client needs to know which rule was broken.
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    detail = (
        f"The request conflicts with existing data (constraint {constraint})"
        if constraint
        else "The request conflicts with existing data"
    )
    return problem_response(HTTPStatus.CONFLICT, detail, instance=instance)


def _database_unavailable(instance: str, error: Exception) -> ProblemResponse:
    logger.warning("database unavailable: %s", type(error).__name__)
    return problem_response(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The database is unavailable; retry shortly",
        instance=instance,
        headers={"Retry-After": "2"},
    )


# SQLSTATE query_canceled: the statement ran past DB_STATEMENT_TIMEOUT_MS.
_QUERY_CANCELED = "57014"


def _is_statement_timeout(error: OperationalError) -> bool:
    return getattr(error.orig, "pgcode", None) == _QUERY_CANCELED


def _statement_timeout(instance: str) -> ProblemResponse:
    # 503, not 422: the request is valid, and the same query can succeed with less load or
    # less data; not 500: nothing is broken. Retry-After as for any overload.
    logger.warning("statement timeout")
    return problem_response(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The query took longer than the service allows; narrow it (e.g. a longer search"
        " text or more filters) or retry later",
        instance=instance,
        headers={"Retry-After": "2"},
    )


def unexpected_error_response(path: str, error: BaseException) -> ProblemResponse:
    logger.error("unhandled error", exc_info=error)
    return problem_response(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "An unexpected error occurred; it has been logged with this request id",
        instance=path,
    )


def register_problem_handlers(app: FastAPI) -> None:
    """Render every error a request can meet as problem+json."""
    for error_class in (
        DomainError,
        HTTPException,
        RequestValidationError,
        DBAPIError,
        PoolTimeoutError,
    ):
        app.add_exception_handler(error_class, render_problem)
