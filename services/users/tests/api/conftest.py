from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import ApiUser, new_user, outbox_rows
from todo_common.testing.harness import TokenFactory


@pytest.fixture
def alice(client: TestClient, make_token: TokenFactory) -> ApiUser:
    return new_user(client, make_token)


@pytest.fixture
def bob(client: TestClient, make_token: TokenFactory) -> ApiUser:
    return new_user(client, make_token)


@pytest.fixture
def admin(client: TestClient, make_token: TokenFactory) -> ApiUser:
    return new_user(client, make_token, role="admin")


@pytest.fixture
def outbox(service_database_urls: dict[str, str]) -> Callable[[], list[dict[str, Any]]]:
    return lambda: outbox_rows(service_database_urls["users"])
