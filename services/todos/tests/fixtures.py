"""Factories for the todos tests: users with tokens, and todos made through the API."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from todo_common.testing.harness import TokenFactory


@dataclass
class ApiUser:
    """A user of the API, with the headers that authenticate them."""

    client: TestClient
    token: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def create_todo(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "Buy milk", **fields}
        response = self.request("POST", "/api/v1/todos", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


def new_user(client: TestClient, make_token: TokenFactory, role: str = "user") -> ApiUser:
    user_id = uuid.uuid4()
    return ApiUser(client=client, token=make_token(user_id, role=role), id=user_id)
