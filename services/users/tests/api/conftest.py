from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import ApiUser, new_user, outbox_rows
from todo_common.testing.harness import TokenFactory


@pytest.fixture
def make_user(client: TestClient, make_token: TokenFactory) -> Callable[..., ApiUser]:
    """A new user with a valid token each call (`alice` and `bob` are two of them)."""
    return lambda **claims: new_user(client, make_token, **claims)


@pytest.fixture
def admin(make_user: Callable[..., ApiUser]) -> ApiUser:
    return make_user(role="admin")


@pytest.fixture
def outbox(service_database_urls: dict[str, str]) -> Callable[[], list[dict[str, Any]]]:
    return lambda: outbox_rows(service_database_urls["users"])
