"""`POST /api/v1/auth/logout`: the token's family is revoked."""

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import LOGOUT, AuthUser, refresh
from todo_common.testing.assertions import assert_unauthorized, assert_validation_problem


def logout(client: TestClient, refresh_token: str) -> int:
    return client.post(LOGOUT, json={"refresh_token": refresh_token}).status_code


class TestLogout:
    def test_answers_204_with_no_body(self, alice: AuthUser) -> None:
        response = alice.client.post(
            LOGOUT, json={"refresh_token": alice.tokens()["refresh_token"]}
        )

        assert response.status_code == 204
        assert response.content == b""

    def test_the_token_no_longer_refreshes(self, alice: AuthUser) -> None:
        token = alice.tokens()["refresh_token"]

        logout(alice.client, token)

        assert_unauthorized(refresh(alice.client, token))

    def test_the_whole_family_is_revoked(self, alice: AuthUser) -> None:
        first = alice.tokens()["refresh_token"]
        current = refresh(alice.client, first).json()["refresh_token"]

        assert logout(alice.client, first) == 204

        assert_unauthorized(refresh(alice.client, current))

    def test_other_sessions_stay_logged_in(self, alice: AuthUser) -> None:
        laptop = alice.tokens()["refresh_token"]
        phone = alice.tokens()["refresh_token"]

        logout(alice.client, laptop)

        assert refresh(alice.client, phone).status_code == 200

    def test_logging_out_twice_is_still_204(self, alice: AuthUser) -> None:
        token = alice.tokens()["refresh_token"]

        assert [logout(alice.client, token), logout(alice.client, token)] == [204, 204]

    def test_unknown_token_is_401(self, client: TestClient) -> None:
        response = client.post(LOGOUT, json={"refresh_token": "made-up-token"})

        assert_unauthorized(response)

    def test_access_token_is_401(self, alice: AuthUser) -> None:
        response = alice.client.post(LOGOUT, json={"refresh_token": alice.tokens()["access_token"]})

        assert_unauthorized(response)

    @pytest.mark.parametrize("body", [{}, {"refresh_token": ""}, {"refresh_token": None}])
    def test_invalid_body_is_422(self, client: TestClient, body: dict[str, object]) -> None:
        assert_validation_problem(client.post(LOGOUT, json=body), "body", "refresh_token")
