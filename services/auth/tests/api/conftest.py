from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import AuthUser, new_user


@pytest.fixture
def make_user(client: TestClient) -> Callable[..., AuthUser]:
    """A newly registered account each call (`alice` and `bob` are two of them)."""
    return lambda **fields: new_user(client, **fields)
