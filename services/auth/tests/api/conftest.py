import pytest
from fastapi.testclient import TestClient

from tests.fixtures import AuthUser, new_user


@pytest.fixture
def alice(client: TestClient) -> AuthUser:
    return new_user(client, email="alice@example.com", name="Alice")


@pytest.fixture
def bob(client: TestClient) -> AuthUser:
    return new_user(client, email="bob@example.com", name="Bob")
