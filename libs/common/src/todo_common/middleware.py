"""The outermost request middleware: request id, access log, path normalisation, last-resort 500."""

import logging
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_common.problem import unexpected_error_response
from todo_common.request_context import choose_request_id, request_id_var

access_logger = logging.getLogger("todo.access")


class RequestContextMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): it adds no task hop and streams bodies untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

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
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
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


def _strip_trailing_slash(scope: Scope) -> None:
    # docs/api.md: `/api/v1/todos/` answers like `/api/v1/todos`, without a redirect.
    path: str = scope["path"]
    if len(path) > 1 and path.endswith("/"):
        scope["path"] = path.rstrip("/") or "/"
        scope["raw_path"] = scope["path"].encode()


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
