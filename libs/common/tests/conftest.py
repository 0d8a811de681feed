"""The shared library under test, on the same real PostgreSQL the services use."""

import pytest

from tests.fixtures import RsaKey

pytest_plugins = ["todo_common.testing.fixtures"]


@pytest.fixture(scope="session")
def signing_key() -> RsaKey:
    return RsaKey(kid="key-a")


@pytest.fixture(scope="session")
def other_signing_key() -> RsaKey:
    return RsaKey(kid="key-b")
