"""`PUT /api/v1/auth/password`, and auth's own checks of bearer tokens."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth.core.config import AuthSettings
from tests.fixtures import (
    PASSWORD,
    AuthUser,
    bearer,
    new_user,
    refresh,
    set_active,
    unverified_claims,
)
from tests.keys import public_pem
from todo_common.security.service_tokens import mint_service_token
from todo_common.security.tokens import mint_token
from todo_common.testing.assertions import (
    assert_problem,
    assert_unauthorized,
    assert_validation_problem,
)
from todo_common.testing.harness import TEST_JWT_SECRET, TokenFactory
from todo_common.testing.tokens import hand_signed, with_claims

NEW_PASSWORD = "a brand new passphrase"


def change(client: TestClient, token: str, current: str, new: str = NEW_PASSWORD) -> Any:
    return client.put(
        PASSWORD,
        json={"current_password": current, "new_password": new},
        headers=bearer(token),
    )


class TestChangePassword:
    def test_answers_204_and_the_new_password_logs_in(self, alice: AuthUser) -> None:
        response = change(alice.client, alice.tokens()["access_token"], alice.password)

        assert response.status_code == 204
        assert response.content == b""
        assert alice.login(NEW_PASSWORD).status_code == 200
        assert_unauthorized(alice.login())

    def test_every_refresh_family_of_the_account_is_revoked(
        self, alice: AuthUser, bob: AuthUser
    ) -> None:
        laptop, phone = alice.tokens(), alice.tokens()
        bobs = bob.tokens()

        change(alice.client, laptop["access_token"], alice.password)

        assert_unauthorized(refresh(alice.client, laptop["refresh_token"]))
        assert_unauthorized(refresh(alice.client, phone["refresh_token"]))
        assert refresh(bob.client, bobs["refresh_token"]).status_code == 200

    def test_wrong_current_password_is_401_and_changes_nothing(self, alice: AuthUser) -> None:
        tokens = alice.tokens()

        body = assert_unauthorized(change(alice.client, tokens["access_token"], "wrong password"))

        assert body["detail"] == "Current password is incorrect"
        assert alice.login().status_code == 200
        assert refresh(alice.client, tokens["refresh_token"]).status_code == 200

    def test_wrong_current_passwords_count_into_the_lockout(self, alice: AuthUser) -> None:
        token = alice.tokens()["access_token"]

        statuses = [change(alice.client, token, "wrong password").status_code for _ in range(5)]
        locked = change(alice.client, token, alice.password)

        assert statuses == [401] * 5
        assert_problem(locked, 429)
        assert int(locked.headers["Retry-After"]) >= 1
        # The same lock as failed logins: guessing here cannot move on to /login either.
        assert alice.login().status_code == 429

    def test_failed_logins_lock_the_password_change_too(self, alice: AuthUser) -> None:
        token = alice.tokens()["access_token"]
        for _ in range(5):
            alice.login("wrong password")

        assert_problem(change(alice.client, token, alice.password), 429)

    def test_a_second_change_with_the_old_password_is_401(self, alice: AuthUser) -> None:
        token = alice.tokens()["access_token"]
        change(alice.client, token, alice.password)

        assert_unauthorized(change(alice.client, token, alice.password, "yet another one"))

    def test_disabled_account_is_401(self, alice: AuthUser, settings: AuthSettings) -> None:
        token = alice.tokens()["access_token"]
        set_active(settings, alice.id, False)

        assert_unauthorized(change(alice.client, token, alice.password))

    def test_token_of_an_account_that_does_not_exist_is_401(
        self, client: TestClient, make_token: TokenFactory
    ) -> None:
        assert_unauthorized(change(client, make_token(uuid.uuid4()), "whatever-password"))

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"current_password": "x", "new_password": "short"}, "new_password"),
            ({"current_password": "x", "new_password": "y" * 129}, "new_password"),
            ({"current_password": "", "new_password": NEW_PASSWORD}, "current_password"),
            ({"new_password": NEW_PASSWORD}, "current_password"),
            ({"current_password": "x"}, "new_password"),
            ({"current_password": "x", "new_password": NEW_PASSWORD, "role": "a"}, "role"),
        ],
    )
    def test_invalid_body_is_422(self, alice: AuthUser, body: dict[str, Any], field: str) -> None:
        token = alice.tokens()["access_token"]

        response = alice.client.put(PASSWORD, json=body, headers=bearer(token))

        assert_validation_problem(response, "body", field)
        assert alice.login().status_code == 200


class TestBearerTokenRejections:
    """What auth refuses at its own bearer route, whatever the body says."""

    def test_missing_token_is_401(self, client: TestClient) -> None:
        response = client.put(
            PASSWORD, json={"current_password": "x", "new_password": NEW_PASSWORD}
        )

        assert_unauthorized(response)

    @pytest.mark.parametrize(
        ("case", "overrides"),
        [
            ("expired", {"lifetime": timedelta(seconds=-30)}),
            ("wrong issuer", {"issuer": "someone-else"}),
            ("wrong audience", {"audience": "another-platform"}),
            ("other secret", {"secret": "another-secret-of-at-least-32-characters!"}),
            ("not yet valid", {"nbf": int((datetime.now(UTC) + timedelta(hours=1)).timestamp())}),
        ],
    )
    def test_rejected_token_is_401(
        self, alice: AuthUser, make_token: TokenFactory, case: str, overrides: dict[str, Any]
    ) -> None:
        token = make_token(alice.id, email=alice.email, **overrides)

        assert_unauthorized(change(alice.client, token, alice.password))
        assert alice.login().status_code == 200

    def test_tampered_token_is_401(self, alice: AuthUser) -> None:
        forged = with_claims(alice.tokens()["access_token"], role="admin")

        assert_unauthorized(change(alice.client, forged, alice.password))

    def test_alg_none_is_401(self, alice: AuthUser) -> None:
        claims = unverified_claims(alice.tokens()["access_token"])

        token = hand_signed({"alg": "none", "typ": "JWT"}, claims, None)

        assert_unauthorized(change(alice.client, token, alice.password))

    def test_service_token_is_not_a_user_token(self, alice: AuthUser) -> None:
        token = mint_service_token(
            client_id="users",
            audience="todo-platform",
            issuer="todo-auth",
            signing_key=TEST_JWT_SECRET,
            algorithm="HS256",
        )

        assert_unauthorized(change(alice.client, token, alice.password))


class TestBearerTokensInRs256:
    def test_auth_accepts_its_own_rs256_tokens(self, rs256_client: TestClient) -> None:
        user = new_user(rs256_client)

        assert change(rs256_client, user.tokens()["access_token"], user.password).status_code == 204

    def test_hs256_token_signed_with_the_public_key_is_401(
        self, rs256_client: TestClient, rsa_key: str
    ) -> None:
        user = new_user(rs256_client)
        claims = unverified_claims(user.tokens()["access_token"])

        # Algorithm confusion: the public key, which anyone may fetch, used as an HMAC secret.
        confused = hand_signed(
            {"alg": "HS256", "typ": "JWT", "kid": "any"}, claims, public_pem(rsa_key).encode()
        )

        assert_unauthorized(change(rs256_client, confused, user.password))

    def test_hs256_token_with_the_shared_secret_is_401(self, rs256_client: TestClient) -> None:
        user = new_user(rs256_client)
        token = mint_token(
            subject=user.id,
            role="user",
            issuer="todo-auth",
            audience="todo-platform",
            signing_key=TEST_JWT_SECRET,
            algorithm="HS256",
        )

        assert_unauthorized(change(rs256_client, token, user.password))
