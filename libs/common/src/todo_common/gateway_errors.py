"""The gateway's error pages: Traefik asks any live service to render its errors as problem+json.

Traefik answers some requests itself — no route (404), a body over the limit (413), a flood
(429), a service that is down (502, 503) or slow (504) — with plain text. Its `errors`
middleware replaces those answers with a page fetched from a service; every service built by
`create_app` serves that page here, outside `/api` and outside the OpenAPI document, so
whichever service is alive can render the error of one that is not (gateway/dynamic.yml).

Traefik calls `GET /gateway-errors/<status>?url=<original URL>` (the `errors` middleware) or
forwards the original request with its path replaced and `X-Replaced-Path` set (the gateway's
catch-all router, for unknown paths). It copies the client's request headers, so the client's
`X-Request-ID` is the one in the answer. The `errors` middleware keeps none of the original
response's headers, so `Retry-After` for 429 travels in the query (`retry_after`), computed in
the gateway configuration from the rate limit itself; the body limit does too (`max_body_bytes`).
"""

from http import HTTPStatus
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query, Request

from todo_common.problem import ProblemResponse, problem_response
from todo_common.request_context import ENCODED_PATH_HINT

GATEWAY_ERRORS_PATH = "/gateway-errors"

# Seconds a client should wait after a 503: a little more than the gateway's health-check
# interval, by which time a restarted service is back in rotation.
SERVICE_DOWN_RETRY_AFTER_SECONDS = 3
# A client-visible path is echoed as `instance`; keep an absurd one from bloating the answer.
_MAX_INSTANCE_LENGTH = 2048

router = APIRouter(prefix=GATEWAY_ERRORS_PATH, include_in_schema=False)


@router.api_route(
    "/{status}",
    # Unknown paths reach this page with the client's own method.
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
)
def render_gateway_error(
    request: Request,
    status: Annotated[int, Path(ge=400, le=599)],
    url: Annotated[str | None, Query(max_length=8192)] = None,
    retry_after: Annotated[int | None, Query(ge=1, le=86_400)] = None,
    max_body_bytes: Annotated[int | None, Query(ge=1)] = None,
) -> ProblemResponse:
    """Render an error the gateway answered itself as problem+json."""
    instance = _original_path(request, url)
    headers: dict[str, str] = {}
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        headers["Retry-After"] = str(retry_after or 1)
    elif status == HTTPStatus.SERVICE_UNAVAILABLE:
        headers["Retry-After"] = str(SERVICE_DOWN_RETRY_AFTER_SECONDS)
    detail = _detail(status, instance, max_body_bytes)
    return problem_response(status, detail, instance=instance, headers=headers)


def _original_path(request: Request, url: str | None) -> str:
    # `url` from the errors middleware; X-Replaced-Path from the catch-all router. Traefik
    # appends its X-Replaced-Path after any the client sent (the gateway also deletes
    # those), so only the last one is the gateway's.
    if url:
        return (urlsplit(url).path or "/")[:_MAX_INSTANCE_LENGTH]
    replaced = request.headers.getlist("x-replaced-path")
    path = replaced[-1] if replaced else request.url.path
    return path[:_MAX_INSTANCE_LENGTH]


def _service_name(path: str) -> str | None:
    # /api/v1/<service>/...
    parts = path.split("/")
    if len(parts) > 3 and parts[1] == "api" and parts[2] == "v1" and parts[3]:
        return parts[3]
    return None


def _readable_size(size: int) -> str:
    for unit, factor in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def _detail(status: int, path: str, max_body_bytes: int | None) -> str:
    service = _service_name(path)
    the_service = f"The {service} service" if service else "The service"
    match status:
        case HTTPStatus.NOT_FOUND if "%" in path:
            return f"No API route matches {path}: {ENCODED_PATH_HINT}"
        case HTTPStatus.NOT_FOUND:
            return f"No API route matches {path}"
        case HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
            limit = f" ({_readable_size(max_body_bytes)})" if max_body_bytes else ""
            return f"The request body is larger than the gateway accepts{limit}"
        case HTTPStatus.TOO_MANY_REQUESTS:
            return "Too many requests from this client; retry after the time in Retry-After"
        case HTTPStatus.BAD_GATEWAY | HTTPStatus.SERVICE_UNAVAILABLE:
            return f"{the_service} is unavailable; retry shortly"
        case HTTPStatus.GATEWAY_TIMEOUT:
            return f"{the_service} did not answer in time"
        case _:
            return "The gateway could not handle the request"
