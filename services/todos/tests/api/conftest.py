import pytest
from fastapi.testclient import TestClient

from tests.fixtures import ApiUser, new_user
from todo_common.testing.harness import TokenFactory


@pytest.fixture
def alice(client: TestClient, make_token: TokenFactory) -> ApiUser:
    return new_user(client, make_token)


@pytest.fixture
def bob(client: TestClient, make_token: TokenFactory) -> ApiUser:
    return new_user(client, make_token)
