"""Per-request facts (request id, user id) that logs and error bodies need."""

import re
import uuid
from contextvars import ContextVar

# Why a path with an encoded reserved character is a 404 (the gateway's and the services').
ENCODED_PATH_HINT = "no API path holds a percent-encoded reserved character such as %2F"

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# A client's id is echoed into logs and headers, so only a short, plain token is accepted.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def choose_request_id(client_value: str | None) -> str:
    if client_value and _SANE_REQUEST_ID.fullmatch(client_value):
        return client_value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()
