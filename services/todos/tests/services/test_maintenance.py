"""Housekeeping: a purge that finds the database down is skipped, and says so."""

import logging
from datetime import timedelta

import pytest

from tests.conftest import SERVICE
from todo_common.database import create_db_engine
from todos.services import maintenance


def test_a_database_that_is_down_skips_the_purge(caplog: pytest.LogCaptureFixture) -> None:
    unreachable = SERVICE.settings(
        "postgresql://nobody:nothing@127.0.0.1:9/nowhere", db_connect_retry_seconds=0
    )
    engine = create_db_engine(unreachable)

    with caplog.at_level(logging.WARNING, logger="todos.services.maintenance"):
        maintenance.purge_expired(engine, ttl=timedelta(hours=24))

    assert "purge skipped: OperationalError" in caplog.text
