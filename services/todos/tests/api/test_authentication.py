"""Who may call the todos API: a valid user token, or 401 with `WWW-Authenticate: Bearer`."""

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fixtures import TODOS, ApiUser, todo_path
from todo_common.testing.assertions import assert_unauthorized
from todo_common.testing.harness import TEST_AUDIENCE, TEST_ISSUER, TokenFactory

SOME_ID = str(uuid.uuid4())
# Every operation, each with a request that would succeed for its owner.
OPERATIONS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", TODOS, None),
    ("POST", TODOS, {"title": "Buy milk"}),
    ("GET", todo_path(SOME_ID), None),
    ("PUT", todo_path(SOME_ID), {"title": "Buy milk"}),
    ("PATCH", todo_path(SOME_ID), {"completed": True}),
    ("DELETE", todo_path(SOME_ID), None),
]


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _segment(value: dict[str, Any]) -> str:
    return _base64url(json.dumps(value).encode())


def _valid_claims() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "sub": str(uuid.uuid4()),
        "role": "user",
        "iss": TEST_ISSUER,
        "aud": TEST_AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=15)).timestamp()),
    }


def unsigned_token() -> str:
    """An `alg: none` token: valid claims, no signature (RFC 7519, section 6)."""
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(_valid_claims())}."


def with_tampered_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0x01
    return f"{header}.{payload}.{_base64url(bytes(raw))}"


def with_tampered_payload(token: str) -> str:
    """The same signature over claims that now say `admin`: the signature no longer fits."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_segment({**claims, 'role': 'admin'})}.{signature}"


BAD_TOKENS: dict[str, Callable[[TokenFactory], str]] = {
    "expired": lambda make_token: make_token(lifetime=timedelta(seconds=-1)),
    "tampered signature": lambda make_token: with_tampered_signature(make_token()),
    "tampered payload": lambda make_token: with_tampered_payload(make_token()),
    "wrong audience": lambda make_token: make_token(audience="another-platform"),
    "wrong issuer": lambda make_token: make_token(issuer="someone-else"),
    "alg none": lambda make_token: unsigned_token(),
    "other secret": lambda make_token: make_token(
        secret="a-different-secret-that-is-long-enough-0123456789"
    ),
    "other HMAC algorithm": lambda make_token: make_token(algorithm="HS512"),
    "service role": lambda make_token: make_token(role="service"),
    "no role": lambda make_token: make_token(role=None),
    "subject not a user id": lambda make_token: make_token("not-a-uuid"),
    "not a JWT": lambda make_token: "not-a-jwt",
    "empty segments": lambda make_token: "..",
}


class TestAuthentication:
    @pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
    def test_no_token_is_401(
        self, client: TestClient, method: str, path: str, body: dict[str, Any] | None
    ) -> None:
        response = client.request(method, path, json=body)

        assert_unauthorized(response)

    @pytest.mark.parametrize("scheme", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc"])
    def test_other_schemes_and_empty_bearer_are_401(self, client: TestClient, scheme: str) -> None:
        response = client.get(TODOS, headers={"Authorization": scheme})

        assert_unauthorized(response)

    @pytest.mark.parametrize("make_bad_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
    def test_invalid_token_is_401(
        self,
        client: TestClient,
        make_token: TokenFactory,
        make_bad_token: Callable[[TokenFactory], str],
    ) -> None:
        response = client.get(
            TODOS, headers={"Authorization": f"Bearer {make_bad_token(make_token)}"}
        )

        assert_unauthorized(response)

    @pytest.mark.parametrize("make_bad_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
    def test_invalid_token_cannot_write(
        self,
        alice: ApiUser,
        make_token: TokenFactory,
        make_bad_token: Callable[[TokenFactory], str],
    ) -> None:
        todo = alice.create_todo(title="Alice's")
        forged = {"Authorization": f"Bearer {make_bad_token(make_token)}"}

        assert_unauthorized(alice.client.post(TODOS, json={"title": "x"}, headers=forged))
        assert_unauthorized(
            alice.client.patch(todo_path(todo["id"]), json={"title": "x"}, headers=forged)
        )
        assert_unauthorized(alice.client.delete(todo_path(todo["id"]), headers=forged))
        assert alice.list_all() == [todo]

    @pytest.mark.parametrize("role", ["user", "admin"])
    def test_user_and_admin_tokens_are_accepted(
        self, client: TestClient, make_token: TokenFactory, role: str
    ) -> None:
        response = client.get(TODOS, headers={"Authorization": f"Bearer {make_token(role=role)}"})

        assert response.status_code == 200
        assert "WWW-Authenticate" not in response.headers

    def test_token_just_before_expiry_is_accepted(
        self, client: TestClient, make_token: TokenFactory
    ) -> None:
        token = make_token(lifetime=timedelta(seconds=30))

        assert client.get(TODOS, headers={"Authorization": f"Bearer {token}"}).status_code == 200

    def test_the_token_subject_is_the_owner(
        self, client: TestClient, make_token: TokenFactory
    ) -> None:
        user_id = uuid.uuid4()
        first = {"Authorization": f"Bearer {make_token(user_id)}"}
        second = {"Authorization": f"Bearer {make_token(user_id)}"}

        created = client.post(TODOS, json={"title": "Buy milk"}, headers=first).json()

        assert client.get(todo_path(created["id"]), headers=second).status_code == 200
