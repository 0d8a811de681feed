"""415 for a request body in a media type its operation does not read.

FastAPI reads a `text/plain`, form or XML body sent to a JSON operation as raw bytes and
fails their validation, a 422 that blames the fields when the problem is the type; a JSON
body sent to a form operation (login) is read as an empty form, the same. This middleware
answers 415 problem+json before the route runs, naming the type the operation takes. It
judges only requests that carry a body: a missing body is the validation's to report.
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from todo_common.problem import problem_response
from todo_common.routing import JSON_MEDIA_TYPE, declared_body_media_type


def media_type_matches(content_type: str | None, declared: str) -> bool:
    """Whether a Content-Type header names `declared` (JSON also as any `+json` type)."""
    if not content_type:
        return False
    sent = content_type.split(";", 1)[0].strip().lower()
    if declared == JSON_MEDIA_TYPE:
        return sent == JSON_MEDIA_TYPE or (
            sent.startswith("application/") and sent.endswith("+json")
        )
    return sent == declared


def _carries_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return "transfer-encoding" in headers or (length is not None and length.strip() != "0")


class BodyMediaTypeMiddleware:
    """Pure ASGI, inside RequestContextMiddleware so the answer has the request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Headers(scope=scope)
            declared = declared_body_media_type(scope) if _carries_body(headers) else None
            content_type = headers.get("content-type")
            if declared is not None and not media_type_matches(content_type, declared):
                sent = content_type or "no Content-Type"
                response = problem_response(
                    415,
                    f"This operation takes a {declared} body, not {sent}",
                    instance=scope["path"],
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
