"""`POST /internal/service-tokens`, and the clients other services use to call it."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from auth.core.config import AuthSettings
from tests.conftest import SERVICE_CLIENT_SECRETS
from tests.fixtures import AUTH, SERVICE_TOKENS, ClientFactory, unverified_header
from tests.keys import rs256
from todo_common.errors import Unauthorized
from todo_common.security.service_tokens import LocalServiceTokenMinter, ServiceTokenClient
from todo_common.security.verification import TokenVerifier
from todo_common.testing.assertions import (
    assert_problem,
    assert_unauthorized,
    assert_validation_problem,
)

pytestmark = pytest.mark.anyio

USERS_SECRET = SERVICE_CLIENT_SECRETS["users"]
VALID = {"client_id": "users", "client_secret": USERS_SECRET, "audience": "todos"}


def verifier_for(settings: AuthSettings) -> TokenVerifier:
    return TokenVerifier.from_settings(settings)


class TestCreateServiceToken:
    @pytest.mark.parametrize("encoding", ["data", "json"])
    async def test_issues_a_short_lived_service_token(
        self, client: TestClient, settings: AuthSettings, encoding: str
    ) -> None:
        response = client.post(SERVICE_TOKENS, **{encoding: VALID})

        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 300
        claims = await verifier_for(settings).verify(body["access_token"], audience="todos")
        assert claims["sub"] == "service:users"
        assert claims["role"] == "service"
        assert claims["aud"] == "todos"
        assert claims["exp"] - claims["iat"] == 300

    async def test_token_is_not_valid_for_another_audience(
        self, client: TestClient, settings: AuthSettings
    ) -> None:
        token = client.post(SERVICE_TOKENS, data=VALID).json()["access_token"]

        with pytest.raises(Unauthorized):
            await verifier_for(settings).verify(token, audience="users")
        with pytest.raises(Unauthorized):
            await verifier_for(settings).verify(token)

    def test_oauth2_grant_type_is_accepted(self, client: TestClient) -> None:
        form = {**VALID, "grant_type": "client_credentials"}

        assert client.post(SERVICE_TOKENS, data=form).status_code == 200

    @pytest.mark.parametrize(
        "credentials",
        [
            {"client_secret": "wrong-secret"},
            {"client_id": "todos"},
            {"client_id": "nobody", "client_secret": "anything"},
        ],
        ids=["wrong-secret", "other-client", "unknown-client"],
    )
    def test_bad_credentials_are_401(self, client: TestClient, credentials: dict[str, str]) -> None:
        body = assert_unauthorized(client.post(SERVICE_TOKENS, data={**VALID, **credentials}))

        assert body["detail"] == "Unknown client or wrong client secret"

    def test_audience_that_takes_no_service_tokens_is_422(self, client: TestClient) -> None:
        response = client.post(SERVICE_TOKENS, data={**VALID, "audience": "todo-platform"})

        assert_validation_problem(response, "body", "audience")

    @pytest.mark.parametrize("missing", ["client_id", "client_secret", "audience"])
    @pytest.mark.parametrize("encoding", ["data", "json"])
    def test_missing_field_is_422(self, client: TestClient, missing: str, encoding: str) -> None:
        body = {name: value for name, value in VALID.items() if name != missing}

        response = client.post(SERVICE_TOKENS, **{encoding: body})

        assert_validation_problem(response, "body", missing)
        assert USERS_SECRET not in response.text

    def test_unknown_json_field_is_422(self, client: TestClient) -> None:
        response = client.post(SERVICE_TOKENS, json={**VALID, "role": "admin"})

        assert_validation_problem(response, "body", "role")

    @pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"'])
    def test_json_that_is_not_an_object_is_422(self, client: TestClient, body: bytes) -> None:
        response = client.post(
            SERVICE_TOKENS, content=body, headers={"Content-Type": "application/json"}
        )

        assert_problem(response, 422)

    @pytest.mark.parametrize("media_type", ["text/plain", "application/xml", None])
    def test_other_media_types_are_415(self, client: TestClient, media_type: str | None) -> None:
        headers = {"Content-Type": media_type} if media_type else {}

        response = client.post(SERVICE_TOKENS, content=b"client_id=users", headers=headers)

        assert_problem(response, 415)

    def test_is_not_served_under_the_public_prefix(self, client: TestClient) -> None:
        assert_problem(client.post(f"{AUTH}/internal/service-tokens", data=VALID), 404)
        assert_problem(client.post(f"{AUTH}/service-tokens", data=VALID), 404)

    def test_rs256_service_tokens_name_the_signing_key(
        self, client_with: ClientFactory, rsa_key: str
    ) -> None:
        client = client_with(**rs256(rsa_key, jwt_key_id="k1"))

        token = client.post(SERVICE_TOKENS, data=VALID).json()["access_token"]

        assert unverified_header(token) == {"alg": "RS256", "kid": "k1", "typ": "JWT"}


class CountingTransport(httpx.AsyncBaseTransport):
    """The real app over ASGI, counting the requests that reach it."""

    def __init__(self, client: TestClient) -> None:
        self._inner = httpx.ASGITransport(app=client.app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self._inner.handle_async_request(request)


def token_client(
    transport: CountingTransport, secret: str = USERS_SECRET, **options: Any
) -> ServiceTokenClient:
    return ServiceTokenClient(
        f"http://auth{SERVICE_TOKENS}",
        client_id="users",
        client_secret=secret,
        http_client=httpx.AsyncClient(transport=transport),
        **options,
    )


class TestServiceTokenClient:
    async def test_fetches_a_token_auth_issued(
        self, client: TestClient, settings: AuthSettings
    ) -> None:
        transport = CountingTransport(client)
        tokens = token_client(transport)

        token = await tokens("todos")

        claims = await verifier_for(settings).verify(token, audience="todos")
        assert claims["sub"] == "service:users"
        await tokens.aclose()

    async def test_reuses_a_token_until_shortly_before_it_expires(self, client: TestClient) -> None:
        transport = CountingTransport(client)
        tokens = token_client(transport)

        first, second = await tokens("todos"), await tokens("todos")

        assert first == second
        assert len(transport.requests) == 1
        await tokens.aclose()

    async def test_keeps_one_token_per_audience(self, client: TestClient) -> None:
        transport = CountingTransport(client)
        tokens = token_client(transport)

        for_todos, for_users = await tokens("todos"), await tokens("users")
        await tokens("todos")

        assert for_todos != for_users
        assert len(transport.requests) == 2
        await tokens.aclose()

    async def test_renews_a_token_shortly_before_it_expires(self, client: TestClient) -> None:
        transport = CountingTransport(client)
        now = [1000.0]
        tokens = token_client(
            transport, renew_before_expiry=timedelta(seconds=30), clock=lambda: now[0]
        )
        first = await tokens("todos")

        now[0] += 300 - 31
        assert await tokens("todos") == first
        now[0] += 2
        renewed = await tokens("todos")

        assert renewed != first
        assert len(transport.requests) == 2
        await tokens.aclose()

    async def test_refusal_raises_http_status_error(self, client: TestClient) -> None:
        tokens = token_client(CountingTransport(client), secret="wrong-secret")

        with pytest.raises(httpx.HTTPStatusError) as refused:
            await tokens("todos")

        assert refused.value.response.status_code == 401
        await tokens.aclose()


class TestLocalServiceTokenMinter:
    async def test_mints_what_auth_would_issue(
        self, client: TestClient, settings: AuthSettings
    ) -> None:
        minted = await LocalServiceTokenMinter.from_settings(settings, client_id="users")("todos")
        issued = client.post(SERVICE_TOKENS, data=VALID).json()["access_token"]

        verifier = verifier_for(settings)
        minted_claims = await verifier.verify(minted, audience="todos")
        issued_claims = await verifier.verify(issued, audience="todos")
        for claim in ("sub", "role", "aud", "iss"):
            assert minted_claims[claim] == issued_claims[claim]
        assert minted_claims["exp"] - minted_claims["iat"] == 300
