"""`GET /api/v1/auth/.well-known/jwks.json`, RS256/ES256 signing and key rotation."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from jose import jwt

from auth.core.keys import thumbprint
from tests.fixtures import (
    JWKS,
    PASSWORD,
    ClientFactory,
    bearer,
    new_user,
    unverified_header,
)
from tests.keys import ec_private_pem, public_pem, rs256
from todo_common.testing.assertions import assert_unauthorized
from todo_common.testing.harness import TEST_AUDIENCE, TEST_ISSUER

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


def access_token(client: TestClient) -> tuple[str, str]:
    """(a fresh account's access token, its password)."""
    user = new_user(client)
    return user.tokens()["access_token"], user.password


def accepted(client: TestClient, token: str, password: str) -> int:
    """The status of auth's own bearer route for `token` (a no-op password change)."""
    response = client.put(
        PASSWORD,
        json={"current_password": password, "new_password": password},
        headers=bearer(token),
    )
    return response.status_code


def published(client: TestClient) -> list[dict[str, Any]]:
    response = client.get(JWKS)
    assert response.status_code == 200
    keys: list[dict[str, Any]] = response.json()["keys"]
    return keys


class TestJwks:
    def test_is_empty_with_hs256(self, client: TestClient) -> None:
        response = client.get(JWKS)

        assert response.status_code == 200
        assert response.json() == {"keys": []}

    def test_publishes_the_public_key_with_rs256(self, rs256_client: TestClient) -> None:
        [key] = published(rs256_client)

        assert key["kty"] == "RSA"
        assert key["alg"] == "RS256"
        assert key["use"] == "sig"
        assert set(key) & PRIVATE_MEMBERS == set()
        assert key["kid"] == thumbprint(key)

    def test_tokens_name_the_published_key_and_verify_with_it(
        self, rs256_client: TestClient
    ) -> None:
        [key] = published(rs256_client)
        token, _ = access_token(rs256_client)

        assert unverified_header(token) == {"alg": "RS256", "kid": key["kid"], "typ": "JWT"}
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=TEST_AUDIENCE)
        assert claims["iss"] == TEST_ISSUER

    def test_configured_key_id_is_used(self, client_with: ClientFactory, rsa_key: str) -> None:
        client = client_with(**rs256(rsa_key, jwt_key_id="2026-11"))

        [key] = published(client)
        token, _ = access_token(client)

        assert key["kid"] == "2026-11"
        assert unverified_header(token)["kid"] == "2026-11"

    def test_es256_keys_work_too(self, client_with: ClientFactory) -> None:
        client = client_with(
            jwt_algorithms=["ES256"], jwt_secret=None, jwt_private_key=ec_private_pem()
        )

        [key] = published(client)
        token, password = access_token(client)

        assert (key["kty"], key["crv"], key["alg"]) == ("EC", "P-256", "ES256")
        assert unverified_header(token)["alg"] == "ES256"
        assert accepted(client, token, password) == 204


class TestKeyRotation:
    """The operator's procedure of docs/architecture.md, step by step."""

    @pytest.fixture
    def old_deployment(self, client_with: ClientFactory, rsa_key: str) -> TestClient:
        return client_with(**rs256(rsa_key, jwt_key_id="old"))

    def test_previous_key_is_still_published_and_accepted(
        self,
        old_deployment: TestClient,
        client_with: ClientFactory,
        rsa_key: str,
        other_rsa_key: str,
    ) -> None:
        token_from_old_key, password = access_token(old_deployment)

        rotated = client_with(
            **rs256(
                other_rsa_key,
                jwt_key_id="new",
                jwt_additional_public_keys={"old": public_pem(rsa_key)},
            )
        )

        assert [key["kid"] for key in published(rotated)] == ["new", "old"]
        assert accepted(rotated, token_from_old_key, password) == 204
        new_token, new_password = access_token(rotated)
        assert unverified_header(new_token)["kid"] == "new"
        assert accepted(rotated, new_token, new_password) == 204

    def test_tokens_of_a_removed_key_are_refused(
        self, old_deployment: TestClient, client_with: ClientFactory, other_rsa_key: str
    ) -> None:
        token_from_old_key, password = access_token(old_deployment)

        after_removal = client_with(**rs256(other_rsa_key, jwt_key_id="new"))

        assert [key["kid"] for key in published(after_removal)] == ["new"]
        assert_unauthorized(
            after_removal.put(
                PASSWORD,
                json={"current_password": password, "new_password": password},
                headers=bearer(token_from_old_key),
            )
        )

    def test_a_token_naming_one_key_but_signed_by_another_is_refused(
        self, client_with: ClientFactory, rsa_key: str, other_rsa_key: str
    ) -> None:
        impostor = client_with(**rs256(other_rsa_key, jwt_key_id="old"))
        token, password = access_token(impostor)
        genuine = client_with(**rs256(rsa_key, jwt_key_id="old"))

        assert accepted(genuine, token, password) == 401
