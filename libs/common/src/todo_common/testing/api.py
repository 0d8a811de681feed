"""A caller of a service under test: a user id, the token that proves it, and requests."""

import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx2
from fastapi.testclient import TestClient


@dataclass
class ApiCaller:
    """Someone calling the API, with the headers that authenticate them."""

    # The paged collection `list_page` and `list_all` read, e.g. "/api/v1/todos".
    collection: ClassVar[str] = ""

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

    def list_page(self, **params: Any) -> dict[str, Any]:
        response = self.request("GET", self.collection, params=params)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    def list_all(self, **params: Any) -> list[dict[str, Any]]:
        """Every item the list answers for `params`, following `next_cursor` to the end.

        A `cursor` in `params` starts from that page instead of the first.
        """
        items: list[dict[str, Any]] = []
        cursor: str | None = params.pop("cursor", None)
        for _ in range(1000):
            page = self.list_page(**params, **({"cursor": cursor} if cursor else {}))
            items.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return items
            # A cursor promises more: a page that ends the listing must not carry one.
            assert page["items"], "a page with a next_cursor must not be empty"
        raise AssertionError("paging did not end")
