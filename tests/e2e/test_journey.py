"""A frontend's whole journey, over HTTP through the gateway only, on the real platform.

Register, log in, read the profile, work with todos, rotate the refresh token, log out,
stay isolated from another user, and delete the account (its todos go, through events).
"""

import uuid
from typing import Any

import httpx
import pytest

from todo_common.testing.assertions import assert_problem
from todo_common.testing.waiting import eventually

AUTH = "/api/v1/auth"
PASSWORD = "correct horse battery staple"


class Frontend:
    """What a browser app keeps: the tokens of one signed-in user."""

    def __init__(self, client: httpx.Client, name: str) -> None:
        self.client = client
        self.name = name
        self.email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
        self.tokens: dict[str, Any] = {}

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def register(self) -> httpx.Response:
        return self.client.post(
            f"{AUTH}/register", json={"email": self.email, "password": PASSWORD, "name": self.name}
        )

    def login(self) -> httpx.Response:
        response = self.client.post(
            f"{AUTH}/login", data={"username": self.email, "password": PASSWORD}
        )
        if response.status_code == 200:
            self.tokens = response.json()
        return response

    def sign_up(self) -> "Frontend":
        assert self.register().status_code == 201
        assert self.login().status_code == 200
        return self

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, headers=self.headers, **kwargs)

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, path, headers=self.headers, **kwargs)


@pytest.fixture
def ada(client: httpx.Client) -> Frontend:
    return Frontend(client, "Ada").sign_up()


@pytest.fixture
def grace(client: httpx.Client) -> Frontend:
    return Frontend(client, "Grace").sign_up()


class TestSignUp:
    def test_register_login_and_the_profile_exists(self, client: httpx.Client) -> None:
        ada = Frontend(client, "Ada")

        registered = ada.register()
        assert registered.status_code == 201
        assert registered.json()["email"] == ada.email
        assert ada.login().status_code == 200
        assert ada.tokens["token_type"] == "bearer"

        me = ada.get("/api/v1/users/me")
        assert me.status_code == 200
        assert me.json()["id"] == registered.json()["id"]
        # The name arrives with user.registered (auth -> users), at once or a moment later.
        eventually(lambda: ada.get("/api/v1/users/me").json()["name"] == "Ada")

    def test_the_same_email_twice_is_409(self, client: httpx.Client, ada: Frontend) -> None:
        assert_problem(ada.register(), 409, f"{AUTH}/register")

    def test_a_wrong_password_is_401_with_www_authenticate(self, client: httpx.Client) -> None:
        response = client.post(
            f"{AUTH}/login", data={"username": "nobody@example.com", "password": "wrong-password"}
        )

        assert_problem(response, 401, f"{AUTH}/login")
        assert response.headers["www-authenticate"] == "Bearer"


class TestTodos:
    def test_create_list_page_update_delete(self, ada: Frontend) -> None:
        for index in range(5):
            created = ada.send("POST", "/api/v1/todos", json={"title": f"todo {index}"})
            assert created.status_code == 201

        first = ada.get("/api/v1/todos", params={"limit": 2})
        second = ada.get(
            "/api/v1/todos", params={"limit": 2, "cursor": first.json()["next_cursor"]}
        )
        third = ada.get(
            "/api/v1/todos", params={"limit": 2, "cursor": second.json()["next_cursor"]}
        )
        pages = [first.json(), second.json(), third.json()]
        titles = [todo["title"] for page in pages for todo in page["items"]]
        assert titles == [f"todo {index}" for index in reversed(range(5))]
        assert pages[-1]["next_cursor"] is None

        newest = first.json()["items"][0]
        path = f"/api/v1/todos/{newest['id']}"
        renamed = ada.send("PATCH", path, json={"title": "renamed"})
        assert renamed.json()["title"] == "renamed"
        assert ada.send("DELETE", path).status_code == 204
        assert_problem(ada.get(path), 404, path)

    def test_another_users_todos_are_invisible(self, ada: Frontend, grace: Frontend) -> None:
        mine = ada.send("POST", "/api/v1/todos", json={"title": "Ada's"}).json()
        path = f"/api/v1/todos/{mine['id']}"

        assert grace.get("/api/v1/todos").json()["items"] == []
        assert_problem(grace.get(path), 404, path)
        assert_problem(grace.send("DELETE", path), 404, path)
        assert ada.get(path).status_code == 200


class TestSessions:
    def test_refresh_rotates_and_a_reused_token_revokes_the_family(self, ada: Frontend) -> None:
        original = ada.tokens["refresh_token"]

        rotated = ada.client.post(f"{AUTH}/refresh", json={"refresh_token": original})
        assert rotated.status_code == 200
        successor = rotated.json()["refresh_token"]
        assert successor != original
        assert (
            ada.client.get(
                "/api/v1/users/me",
                headers={"Authorization": f"Bearer {rotated.json()['access_token']}"},
            ).status_code
            == 200
        )

        # Presenting the spent token again looks like theft: the whole family goes.
        reused = ada.client.post(f"{AUTH}/refresh", json={"refresh_token": original})
        assert_problem(reused, 401, f"{AUTH}/refresh")
        revoked = ada.client.post(f"{AUTH}/refresh", json={"refresh_token": successor})
        assert_problem(revoked, 401, f"{AUTH}/refresh")

    def test_logout_ends_the_session(self, ada: Frontend) -> None:
        refresh_token = ada.tokens["refresh_token"]

        assert (
            ada.client.post(f"{AUTH}/logout", json={"refresh_token": refresh_token}).status_code
            == 204
        )

        after = ada.client.post(f"{AUTH}/refresh", json={"refresh_token": refresh_token})
        assert_problem(after, 401, f"{AUTH}/refresh")


class TestAccountDeletion:
    def test_deleting_me_removes_profile_todos_and_account(self, ada: Frontend) -> None:
        assert ada.send("POST", "/api/v1/todos", json={"title": "goes too"}).status_code == 201

        assert ada.send("DELETE", "/api/v1/users/me").status_code == 204

        # The profile is gone at once; user.deleted then reaches auth and todos through the
        # relay. The access token still verifies until it expires (tokens are checked
        # locally), which lets this test see the todos disappear.
        assert_problem(ada.get("/api/v1/users/me"), 401, "/api/v1/users/me")
        eventually(lambda: ada.get("/api/v1/todos").json()["items"] == [])
        eventually(lambda: ada.login().status_code == 401)
