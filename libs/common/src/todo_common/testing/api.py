"""A caller of a service under test: a user id, the token that proves it, and requests."""

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx2
from fastapi.testclient import TestClient


@dataclass
class ApiCaller:
    """Someone calling the API, with the headers that authenticate them."""

    client: TestClient
    token: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    # Starlette's TestClient is built on httpx2, so its answers are httpx2 responses.
    def request(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        # A redirect is an answer under test, never something to follow silently.
        kwargs.setdefault("follow_redirects", False)
        return self.client.request(method, path, headers=headers, **kwargs)
