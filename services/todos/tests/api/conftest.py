from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import ApiUser, new_user
from todo_common.testing.harness import TokenFactory


@pytest.fixture
def make_user(client: TestClient, make_token: TokenFactory) -> Callable[..., ApiUser]:
    """A new user with a valid token each call (`alice` and `bob` are two of them)."""
    return lambda **claims: new_user(client, make_token, **claims)
