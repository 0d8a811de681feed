"""The shared library under test, on the same real PostgreSQL the services use."""

import logging
from collections.abc import Iterator

import pytest

from tests.fixtures import RsaKey

pytest_plugins = ["todo_common.testing.fixtures"]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    # `create_app` points the root logger at the stdout of the moment, which may be a
    # capture stream that closes with the test; later tests must not inherit it.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def signing_key() -> RsaKey:
    return RsaKey(kid="key-a")


@pytest.fixture(scope="session")
def other_signing_key() -> RsaKey:
    return RsaKey(kid="key-b")
