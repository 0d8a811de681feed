"""The outermost request middleware: request id, access log, path normalisation, last-resort 500."""

import logging
import re
import time
from http import HTTPStatus
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_common.problem import problem_response, unexpected_error_response
from todo_common.request_context import ENCODED_PATH_HINT, choose_request_id, request_id_var

access_logger = logging.getLogger("todo.access")

# A percent-encoded reserved character (RFC 3986 2.2) or `%` itself: what Traefik's
# routing keeps encoded and uvicorn decodes, so `/login%2F` would reach the `/login`
# handler under a spelling the gateway's routers never matched (docs/architecture.md).
_ENCODED_RESERVED = re.compile(rb"%(?:2[13-9A-Ca-cFf]|3[AaBbDdFf]|40|5[BbDd])")


class RequestContextMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): it adds no task hop and streams bodies untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        encoded = _has_encoded_reserved_character(scope)
        _strip_trailing_slash(scope)
        headers = dict(scope["headers"])
        request_id = choose_request_id(_decode(headers.get(b"x-request-id")))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder: dict[str, Any] = {"status": 500, "started": False}

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                _vary_on_origin(headers)
            await send(message)

        try:
            if encoded:
                # As sent: the decoded form is what must not be acted on. A 404, as for any
                # path no route has (and what every operation with a path documents).
                raw_path = scope["raw_path"].decode("latin-1")
                response = problem_response(
                    HTTPStatus.NOT_FOUND,
                    f"No API route matches {raw_path}: {ENCODED_PATH_HINT}",
                    instance=raw_path,
                )
                await response(scope, receive, send_with_request_id)
                return
            await self.app(scope, receive, send_with_request_id)
        except Exception as error:
            # Anything no handler caught: log it with the request id, answer a bare 500.
            if status_holder["started"]:
                raise
            response = unexpected_error_response(scope["path"], error)
            await response(scope, receive, send_with_request_id)
        finally:
            _log_access(scope, status_holder["status"], started, request_id)
            request_id_var.reset(token)


def _has_encoded_reserved_character(scope: Scope) -> bool:
    raw_path: bytes = scope.get("raw_path") or b""
    # The common case costs one byte search.
    return b"%" in raw_path and _ENCODED_RESERVED.search(raw_path) is not None


def _strip_trailing_slash(scope: Scope) -> None:
    # docs/api.md: `/api/v1/todos/` answers like `/api/v1/todos`, without a redirect.
    path: str = scope["path"]
    if len(path) > 1 and path.endswith("/"):
        scope["path"] = path.rstrip("/") or "/"
        scope["raw_path"] = scope["path"].encode()


def _vary_on_origin(headers: MutableHeaders) -> None:
    # The gateway answers differently by Origin (CORS headers for allowed ones only), so
    # every answer says so, or a shared cache could hand one origin's answer to another.
    existing = headers.get("vary")
    if existing is None:
        headers["Vary"] = "Origin"
    elif "origin" not in (token.strip().lower() for token in existing.split(",")):
        headers["Vary"] = f"{existing}, Origin"


def _decode(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None


def _log_access(scope: Scope, status: int, started: float, request_id: str) -> None:
    # Only the path: query strings can carry tokens or personal data.
    fields: dict[str, Any] = {
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "request_id": request_id,
    }
    user_id = scope.get("state", {}).get("user_id")
    if user_id is not None:
        fields["user_id"] = str(user_id)
    access_logger.info("request", extra=fields)
