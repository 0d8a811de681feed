"""Per-request facts (request id, user id) that logs and error bodies need."""

import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# A client's id is echoed into logs and headers, so only a short, plain token is accepted.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def choose_request_id(client_value: str | None) -> str:
    if client_value and _SANE_REQUEST_ID.fullmatch(client_value):
        return client_value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()
