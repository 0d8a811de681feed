"""Browser sessions: the refresh token as an HttpOnly cookie (opted in at login).

Each test drives its own client, so its cookie jar behaves as one browser's would.
"""

from collections.abc import Callable
from http.cookies import Morsel, SimpleCookie

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.fixtures import LOGIN, LOGOUT, REFRESH, AuthUser, new_user, unverified_claims
from todo_common.testing.assertions import assert_unauthorized

COOKIE_MODE = {"X-Refresh-Token-Transport": "cookie"}
THIRTY_DAYS = 30 * 24 * 3600
SPENT = "Refresh token is invalid, expired or revoked"

Browser = Callable[..., TestClient]


@pytest.fixture
def browser(client: TestClient) -> Browser:
    """A new client on the session's app (already started) with an empty cookie jar."""

    def open_browser(base_url: str = "https://testserver") -> TestClient:
        return TestClient(client.app, base_url=base_url, raise_server_exceptions=False)

    return open_browser


def set_cookie(response: httpx.Response) -> Morsel[str]:
    headers = response.headers.get_list("set-cookie")
    assert len(headers) == 1, headers
    parsed: SimpleCookie = SimpleCookie()
    parsed.load(headers[0])
    return parsed["refresh_token"]


def cookie_login(browser: TestClient, user: AuthUser) -> httpx.Response:
    response = browser.post(
        LOGIN, data={"username": user.email, "password": user.password}, headers=COOKIE_MODE
    )
    assert response.status_code == 200, response.text
    return response


class TestLoginInCookieMode:
    def test_the_refresh_token_is_a_cookie_not_a_body_field(
        self, browser: Browser, alice: AuthUser
    ) -> None:
        response = cookie_login(browser(), alice)

        assert set(response.json()) == {"access_token", "token_type", "expires_in"}
        assert unverified_claims(response.json()["access_token"])["sub"] == alice.id
        assert len(set_cookie(response).value) >= 32

    def test_cookie_attributes(self, browser: Browser, alice: AuthUser) -> None:
        cookie = set_cookie(cookie_login(browser(), alice))

        assert cookie["httponly"] is True
        assert cookie["samesite"] == "strict"
        assert cookie["path"] == "/api/v1/auth"
        assert cookie["secure"] is True
        assert cookie["max-age"] == str(THIRTY_DAYS)

    def test_the_cookie_lives_as_long_as_the_refresh_token(
        self, client_with: Callable[..., TestClient]
    ) -> None:
        other = client_with(refresh_token_lifetime_days=2)
        user = new_user(other)
        browser = TestClient(other.app, base_url="https://testserver")

        assert set_cookie(cookie_login(browser, user))["max-age"] == str(2 * 24 * 3600)

    def test_not_secure_over_plain_http(self, browser: Browser, alice: AuthUser) -> None:
        # Locally (http://localhost) a Secure cookie would be dropped by some browsers.
        assert not set_cookie(cookie_login(browser("http://testserver"), alice))["secure"]

    def test_secure_when_the_gateway_terminated_tls(
        self, browser: Browser, alice: AuthUser
    ) -> None:
        response = browser("http://testserver").post(
            LOGIN,
            data={"username": alice.email, "password": alice.password},
            headers={**COOKIE_MODE, "X-Forwarded-Proto": "https"},
        )

        assert set_cookie(response)["secure"] is True

    def test_a_failed_login_sets_no_cookie(self, browser: Browser, alice: AuthUser) -> None:
        response = browser().post(
            LOGIN, data={"username": alice.email, "password": "wrong-password"}, headers=COOKIE_MODE
        )

        assert_unauthorized(response)
        assert "set-cookie" not in response.headers


class TestRefreshThroughTheCookie:
    def test_rotates_the_cookie(self, browser: Browser, alice: AuthUser) -> None:
        tab = browser()
        first = set_cookie(cookie_login(tab, alice)).value

        response = tab.post(REFRESH)

        assert response.status_code == 200
        assert set(response.json()) == {"access_token", "token_type", "expires_in"}
        rotated = set_cookie(response)
        assert rotated.value != first
        assert rotated["httponly"] is True
        assert rotated["path"] == "/api/v1/auth"
        assert tab.post(REFRESH).status_code == 200

    def test_reusing_a_spent_cookie_revokes_the_family_and_clears_it(
        self, browser: Browser, alice: AuthUser
    ) -> None:
        tab = browser()
        stolen = set_cookie(cookie_login(tab, alice)).value
        assert tab.post(REFRESH).status_code == 200
        thief = browser()
        thief.cookies.set("refresh_token", stolen, domain="testserver.local", path="/api/v1/auth")

        replay = thief.post(REFRESH)

        assert assert_unauthorized(replay)["detail"] == SPENT
        assert set_cookie(replay)["max-age"] == "0"
        # The rightful browser's newer cookie is of the revoked family too.
        assert_unauthorized(tab.post(REFRESH))

    def test_no_cookie_and_no_body_is_401(self, browser: Browser) -> None:
        body = assert_unauthorized(browser().post(REFRESH))

        assert "X-Refresh-Token-Transport" in body["detail"]

    def test_the_cookie_is_not_sent_outside_auth(self, browser: Browser, alice: AuthUser) -> None:
        tab = browser()
        cookie_login(tab, alice)
        request = tab.build_request("GET", "/api/v1/users/me")

        assert "cookie" not in request.headers
        assert "refresh_token" in tab.build_request("POST", REFRESH).headers["cookie"]


class TestLogoutThroughTheCookie:
    def test_ends_the_session_and_clears_the_cookie(
        self, browser: Browser, alice: AuthUser
    ) -> None:
        tab = browser()
        token = set_cookie(cookie_login(tab, alice)).value

        response = tab.post(LOGOUT)

        assert response.status_code == 204
        cleared = set_cookie(response)
        assert cleared["max-age"] == "0"
        assert cleared["path"] == "/api/v1/auth"
        assert "refresh_token" not in tab.cookies
        assert_unauthorized(tab.post(REFRESH, json={"refresh_token": token}))

    def test_an_unknown_cookie_is_401_and_cleared(self, browser: Browser) -> None:
        tab = browser()
        tab.cookies.set("refresh_token", "made-up", domain="testserver.local", path="/api/v1/auth")

        response = tab.post(LOGOUT)

        assert assert_unauthorized(response)["detail"] == SPENT
        assert set_cookie(response)["max-age"] == "0"


class TestBodyTokenClientsAreUnaffected:
    def test_login_without_the_header_sets_no_cookie(self, alice: AuthUser) -> None:
        response = alice.login()

        assert "set-cookie" not in response.headers
        assert set(response.json()) == {"access_token", "token_type", "expires_in", "refresh_token"}

    def test_refresh_and_logout_with_a_body_set_no_cookie(self, alice: AuthUser) -> None:
        token = alice.tokens()["refresh_token"]

        refreshed = alice.client.post(REFRESH, json={"refresh_token": token})
        logged_out = alice.client.post(
            LOGOUT, json={"refresh_token": refreshed.json()["refresh_token"]}
        )

        assert refreshed.status_code == 200
        assert "refresh_token" in refreshed.json()
        assert logged_out.status_code == 204
        assert "set-cookie" not in refreshed.headers
        assert "set-cookie" not in logged_out.headers

    def test_the_body_wins_over_a_cookie(self, browser: Browser, alice: AuthUser) -> None:
        tab = browser()
        cookie = set_cookie(cookie_login(tab, alice)).value
        body_token = alice.tokens()["refresh_token"]

        response = tab.post(REFRESH, json={"refresh_token": body_token})

        assert response.status_code == 200
        assert response.json()["refresh_token"]
        assert "set-cookie" not in response.headers
        # The cookie's own session was not spent.
        assert tab.post(REFRESH, json={"refresh_token": cookie}).status_code == 200
