import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from todo_common.logging import JsonFormatter, configure_logging
from todo_common.request_context import request_id_var


@pytest.fixture
def request_id() -> Iterator[str]:
    token = request_id_var.set("req-42")
    yield "req-42"
    request_id_var.reset(token)


def format_record(message: str, *, exc_info: Any = None, **extra: Any) -> dict[str, Any]:
    record = logging.getLogger("todo.test").makeRecord(
        "todo.test", logging.WARNING, __file__, 1, message, (), exc_info, extra=extra
    )
    formatted: dict[str, Any] = json.loads(JsonFormatter("widgets").format(record))
    return formatted


class TestJsonFormatter:
    def test_writes_one_json_object_with_the_basics(self) -> None:
        entry = format_record("disk almost full")

        assert entry["message"] == "disk almost full"
        assert entry["level"] == "WARNING"
        assert entry["logger"] == "todo.test"
        assert entry["service"] == "widgets"
        assert entry["ts"].endswith("+00:00")
        assert "request_id" not in entry

    def test_adds_the_current_request_id(self, request_id: str) -> None:
        assert format_record("hello")["request_id"] == request_id

    def test_adds_extra_fields_even_when_not_json(self) -> None:
        entry = format_record("done", status=200, user=object())

        assert entry["status"] == 200
        assert entry["user"].startswith("<object object")

    def test_adds_the_traceback(self) -> None:
        try:
            raise ValueError("bad input")
        except ValueError:
            entry = format_record("failed", exc_info=sys.exc_info())

        assert "ValueError: bad input" in entry["exception"]


class TestConfigureLogging:
    def test_sends_every_logger_through_one_json_handler(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        stream = io.StringIO()
        monkeypatch.setattr(sys, "stdout", stream)

        configure_logging("widgets", "INFO")
        logging.getLogger("uvicorn.error").info("started")
        logging.getLogger("some.library").debug("too chatty")

        [entry] = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert entry["message"] == "started"
        assert entry["service"] == "widgets"

    def test_silences_uvicorns_access_log(self) -> None:
        configure_logging("widgets", "INFO")

        assert logging.getLogger("uvicorn.access").disabled
