"""`POST /api/v1/auth/refresh`: rotation, reuse detection, races."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from auth.core.config import AuthSettings
from tests.fixtures import (
    PASSWORD,
    REFRESH,
    AuthUser,
    bearer,
    database,
    expire_refresh_tokens,
    refresh,
    set_active,
    unverified_claims,
)
from todo_common.testing.assertions import assert_unauthorized, assert_validation_problem


class TestRefresh:
    def test_answers_a_new_pair(self, alice: AuthUser) -> None:
        first = alice.tokens()

        response = refresh(alice.client, first["refresh_token"])

        assert response.status_code == 200
        second = response.json()
        assert set(second) == {"access_token", "token_type", "expires_in", "refresh_token"}
        assert second["refresh_token"] != first["refresh_token"]
        assert second["access_token"] != first["access_token"]
        assert unverified_claims(second["access_token"])["sub"] == alice.id

    def test_new_access_token_is_accepted(self, alice: AuthUser) -> None:
        rotated = refresh(alice.client, alice.tokens()["refresh_token"]).json()

        response = alice.change_password(rotated["access_token"], alice.password, "n3w-password")

        assert response.status_code == 204

    def test_rotated_tokens_chain(self, alice: AuthUser) -> None:
        token = alice.tokens()["refresh_token"]
        for _ in range(3):
            response = refresh(alice.client, token)
            assert response.status_code == 200
            token = response.json()["refresh_token"]

    def test_spent_token_is_401(self, alice: AuthUser) -> None:
        token = alice.tokens()["refresh_token"]
        refresh(alice.client, token)

        body = assert_unauthorized(refresh(alice.client, token))

        assert body["detail"] == "Refresh token is invalid, expired or revoked"

    def test_reuse_of_a_spent_token_revokes_its_whole_family(self, alice: AuthUser) -> None:
        stolen = alice.tokens()["refresh_token"]
        current = refresh(alice.client, stolen).json()["refresh_token"]
        newest = refresh(alice.client, current).json()["refresh_token"]

        assert_unauthorized(refresh(alice.client, stolen))

        assert_unauthorized(refresh(alice.client, newest))

    def test_reuse_leaves_other_families_alone(self, alice: AuthUser) -> None:
        laptop = alice.tokens()["refresh_token"]
        phone = alice.tokens()["refresh_token"]
        refresh(alice.client, laptop)

        refresh(alice.client, laptop)

        assert refresh(alice.client, phone).status_code == 200

    def test_unknown_token_is_401(self, client: TestClient) -> None:
        assert_unauthorized(refresh(client, "made-up-token"))

    def test_access_token_is_not_a_refresh_token(self, alice: AuthUser) -> None:
        assert_unauthorized(refresh(alice.client, alice.tokens()["access_token"]))

    def test_expired_token_is_401(self, alice: AuthUser, settings: AuthSettings) -> None:
        token = alice.tokens()["refresh_token"]
        expire_refresh_tokens(settings, alice.id)

        assert_unauthorized(refresh(alice.client, token))

    def test_disabled_account_cannot_refresh(self, alice: AuthUser, settings: AuthSettings) -> None:
        token = alice.tokens()["refresh_token"]
        set_active(settings, alice.id, False)

        assert_unauthorized(refresh(alice.client, token))

    def test_role_comes_from_the_account_now(self, alice: AuthUser, settings: AuthSettings) -> None:
        token = alice.tokens()["refresh_token"]
        with database(settings) as cursor:
            cursor.execute("UPDATE auth.account SET role = 'admin' WHERE id = %s", (alice.id,))

        rotated = refresh(alice.client, token).json()

        assert unverified_claims(rotated["access_token"])["role"] == "admin"

    def test_refresh_token_is_not_an_access_token(self, alice: AuthUser) -> None:
        token = alice.tokens()["refresh_token"]

        response = alice.client.put(
            PASSWORD,
            json={"current_password": alice.password, "new_password": "n3w-password"},
            headers=bearer(token),
        )

        assert_unauthorized(response)

    @pytest.mark.parametrize(
        "body",
        [{}, {"refresh_token": ""}, {"refresh_token": "x" * 513}, {"refresh_token": 7}],
        ids=["missing", "empty", "too-long", "not-a-string"],
    )
    def test_invalid_body_is_422(self, client: TestClient, body: dict[str, object]) -> None:
        assert_validation_problem(client.post(REFRESH, json=body), "body", "refresh_token")

    def test_unknown_field_is_422(self, alice: AuthUser) -> None:
        body = {"refresh_token": alice.tokens()["refresh_token"], "scope": "admin"}

        assert_validation_problem(alice.client.post(REFRESH, json=body), "body", "scope")

    def test_form_body_is_415(self, alice: AuthUser) -> None:
        form = {"refresh_token": alice.tokens()["refresh_token"]}

        assert alice.client.post(REFRESH, data=form).status_code == 415


class TestConcurrentRefresh:
    def test_exactly_one_of_concurrent_refreshes_wins(self, alice: AuthUser) -> None:
        token = alice.tokens()["refresh_token"]
        racers = 8
        start = threading.Barrier(racers)

        def race(_: int) -> httpx.Response:
            start.wait()
            return refresh(alice.client, token)

        with ThreadPoolExecutor(max_workers=racers) as pool:
            responses = list(pool.map(race, range(racers)))

        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200] + [401] * (racers - 1)
        for response in responses:
            if response.status_code == 401:
                assert_unauthorized(response)

    def test_the_losers_reuse_revokes_the_winners_family(self, alice: AuthUser) -> None:
        # Racing refreshes of one token look exactly like a stolen token being replayed, so
        # the family is revoked: the winner's new token stops working too.
        token = alice.tokens()["refresh_token"]
        start = threading.Barrier(2)

        def race(_: int) -> httpx.Response:
            start.wait()
            return refresh(alice.client, token)

        with ThreadPoolExecutor(max_workers=2) as pool:
            responses = list(pool.map(race, range(2)))

        [winner] = [response for response in responses if response.status_code == 200]
        assert_unauthorized(refresh(alice.client, winner.json()["refresh_token"]))
