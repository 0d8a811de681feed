"""`POST /api/v1/auth/login` (OAuth2 password form), as a client sees it."""

import time

import pytest
from fastapi.testclient import TestClient

from auth.core.config import AuthSettings
from tests.fixtures import (
    LOGIN,
    AuthUser,
    ClientFactory,
    expire_lock,
    new_user,
    set_active,
    unverified_claims,
)
from todo_common.security.verification import TokenVerifier
from todo_common.testing.assertions import (
    assert_problem,
    assert_unauthorized,
    assert_validation_problem,
)

WRONG_PASSWORD = "not the password"


def fail_logins(user: AuthUser, times: int) -> list[int]:
    return [user.login(WRONG_PASSWORD).status_code for _ in range(times)]


class TestLogin:
    def test_answers_a_bearer_token_pair(self, alice: AuthUser) -> None:
        response = alice.login()

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 900
        assert body["refresh_token"] != body["access_token"]

    @pytest.mark.anyio
    async def test_access_token_carries_the_claims_of_the_design(
        self, alice: AuthUser, settings: AuthSettings
    ) -> None:
        token = alice.tokens()["access_token"]

        claims = await TokenVerifier.from_settings(settings).verify(token)

        assert claims["sub"] == alice.id
        assert claims["email"] == alice.email
        assert claims["role"] == "user"
        assert claims["iss"] == settings.jwt_issuer
        assert claims["aud"] == settings.jwt_audience
        assert claims["exp"] - claims["iat"] == 15 * 60
        assert abs(claims["iat"] - time.time()) < 60
        assert len(claims["jti"]) >= 16

    def test_each_token_has_its_own_jti(self, alice: AuthUser) -> None:
        first, second = alice.tokens(), alice.tokens()

        assert (
            unverified_claims(first["access_token"])["jti"]
            != unverified_claims(second["access_token"])["jti"]
        )
        assert first["refresh_token"] != second["refresh_token"]

    def test_email_is_matched_case_insensitively(self, alice: AuthUser) -> None:
        assert alice.login(username=f"  {alice.email.upper()} ").status_code == 200

    def test_wrong_password_is_401(self, alice: AuthUser) -> None:
        body = assert_unauthorized(alice.login(WRONG_PASSWORD))

        assert body["detail"] == "Incorrect email or password"

    def test_unknown_email_is_the_same_401_as_a_wrong_password(
        self, client: TestClient, alice: AuthUser
    ) -> None:
        wrong_password = alice.login(WRONG_PASSWORD)
        unknown = client.post(LOGIN, data={"username": "nobody@example.com", "password": "x"})

        assert_unauthorized(unknown)
        assert unknown.json()["detail"] == wrong_password.json()["detail"]
        assert unknown.headers["WWW-Authenticate"] == wrong_password.headers["WWW-Authenticate"]

    def test_disabled_account_is_the_same_401(
        self, alice: AuthUser, settings: AuthSettings
    ) -> None:
        set_active(settings, alice.id, False)

        body = assert_unauthorized(alice.login())

        assert body["detail"] == "Incorrect email or password"

    @pytest.mark.parametrize(
        "username", ["x" * 300, "nul\x00@example.com", "   ", "not an email at all"]
    )
    def test_usernames_no_account_can_have_are_401(self, client: TestClient, username: str) -> None:
        assert_unauthorized(client.post(LOGIN, data={"username": username, "password": "pw"}))

    def test_admin_token_says_admin(
        self, client_with: ClientFactory, settings: AuthSettings
    ) -> None:
        admin_client = client_with(
            first_admin_email="root@example.com", first_admin_password="admin-password"
        )

        response = admin_client.post(
            LOGIN, data={"username": "root@example.com", "password": "admin-password"}
        )

        assert response.status_code == 200
        assert unverified_claims(response.json()["access_token"])["role"] == "admin"

    @pytest.mark.parametrize("missing", ["username", "password"])
    def test_missing_form_field_is_422(self, client: TestClient, missing: str) -> None:
        form = {"username": "alice@example.com", "password": "pw"}
        del form[missing]

        assert_validation_problem(client.post(LOGIN, data=form), "body", missing)

    def test_json_body_is_415(self, client: TestClient, alice: AuthUser) -> None:
        # Login reads an OAuth2 form; a JSON body is a body of the wrong type, not an empty form.
        response = client.post(LOGIN, json={"username": alice.email, "password": alice.password})

        body = assert_problem(response, 415)
        assert "application/x-www-form-urlencoded" in body["detail"]
        assert alice.password not in response.text

    def test_wrong_grant_type_is_422(self, client: TestClient, alice: AuthUser) -> None:
        form = {"username": alice.email, "password": alice.password, "grant_type": "implicit"}

        assert_validation_problem(client.post(LOGIN, data=form), "body", "grant_type")

    def test_swagger_authorize_form_is_accepted(self, alice: AuthUser) -> None:
        # What Swagger UI's Authorize dialog posts for the OAuth2 password flow.
        form = {
            "grant_type": "password",
            "username": alice.email,
            "password": alice.password,
            "scope": "",
            "client_id": "",
            "client_secret": "",
        }

        assert alice.client.post(LOGIN, data=form).status_code == 200


class TestLockout:
    def test_fifth_failure_locks_the_account_with_retry_after(self, alice: AuthUser) -> None:
        assert fail_logins(alice, 5) == [401] * 5

        locked = alice.login()

        body = assert_problem(locked, 429)
        assert locked.headers["Retry-After"] == "30"
        assert "access_token" not in locked.text
        assert body["detail"] == "Too many failed logins for this account; try again later"

    def test_four_failures_do_not_lock(self, alice: AuthUser) -> None:
        fail_logins(alice, 4)

        assert alice.login().status_code == 200

    def test_success_resets_the_count(self, alice: AuthUser) -> None:
        fail_logins(alice, 4)
        alice.login()

        assert fail_logins(alice, 4) == [401] * 4
        assert alice.login().status_code == 200

    def test_lock_ends_after_retry_after_and_success_resets(
        self, alice: AuthUser, settings: AuthSettings
    ) -> None:
        fail_logins(alice, 5)
        expire_lock(settings, alice.email)

        assert alice.login().status_code == 200
        assert fail_logins(alice, 4) == [401] * 4
        assert alice.login().status_code == 200

    def test_lock_doubles_with_each_further_failure(
        self, alice: AuthUser, settings: AuthSettings
    ) -> None:
        retry_after = []
        fail_logins(alice, 5)
        for _ in range(3):
            retry_after.append(int(alice.login().headers["Retry-After"]))
            expire_lock(settings, alice.email)
            assert alice.login(WRONG_PASSWORD).status_code == 401

        assert retry_after == [30, 60, 120]

    def test_lock_is_capped(self, client_with: ClientFactory, settings: AuthSettings) -> None:
        capped = client_with(login_lockout_base_seconds=600, login_lockout_max_seconds=900)
        user = new_user(capped)
        fail_logins(user, 5)
        expire_lock(settings, user.email)
        fail_logins(user, 1)

        assert user.login().headers["Retry-After"] == "900"

    def test_unknown_email_locks_like_a_known_one(self, client: TestClient) -> None:
        form = {"username": "nobody@example.com", "password": WRONG_PASSWORD}

        statuses = [client.post(LOGIN, data=form).status_code for _ in range(6)]

        assert statuses == [401] * 5 + [429]

    def test_lock_is_per_account(self, alice: AuthUser, bob: AuthUser) -> None:
        fail_logins(alice, 5)

        assert bob.login().status_code == 200

    def test_a_fullwidth_lookalike_of_the_email_counts_into_the_same_lock(
        self, alice: AuthUser
    ) -> None:
        # NFKC makes fullwidth letters plain: one address, one count.
        lookalike = "".join(
            chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in alice.email
        )
        for _ in range(5):
            alice.login(WRONG_PASSWORD, username=lookalike)

        assert alice.login().status_code == 429

    def test_lock_applies_whatever_the_case_of_the_email(self, alice: AuthUser) -> None:
        fail_logins(alice, 5)

        assert alice.login(username=alice.email.upper()).status_code == 429
