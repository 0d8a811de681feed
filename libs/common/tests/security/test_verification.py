from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from tests.fixtures import (
    JwksServer,
    RsaKey,
    claims_for,
    make_settings,
    sign,
)
from todo_common.errors import Unauthorized
from todo_common.security import verification
from todo_common.security.tokens import mint_token
from todo_common.security.verification import JwksCache, StaticKeySet, TokenVerifier
from todo_common.testing.harness import TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET
from todo_common.testing.tokens import hand_signed, with_claims

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def hs256_verifier() -> TokenVerifier:
    return TokenVerifier.from_settings(make_settings())


def rs256_verifier(public_key: str) -> TokenVerifier:
    return TokenVerifier(
        algorithms=["RS256"], issuer=TEST_ISSUER, audience=TEST_AUDIENCE, public_key=public_key
    )


async def rejection(verifier: TokenVerifier, token: str, **options: Any) -> str:
    """Verify a token that must fail; returns the client-visible reason."""
    with pytest.raises(Unauthorized) as rejected:
        await verifier.verify(token, **options)
    assert rejected.value.headers == {"WWW-Authenticate": "Bearer"}
    return rejected.value.detail


class TestHs256:
    async def test_valid_token_gives_its_claims(self) -> None:
        claims = claims_for(role="admin")

        verified = await hs256_verifier().verify(sign(claims))

        assert verified == claims

    async def test_token_from_mint_token_is_accepted(self) -> None:
        token = mint_token(
            subject="user-1",
            role="user",
            issuer=TEST_ISSUER,
            audience=TEST_AUDIENCE,
            signing_key=TEST_JWT_SECRET,
            algorithm="HS256",
        )

        assert (await hs256_verifier().verify(token))["sub"] == "user-1"

    async def test_expired_token_is_rejected(self) -> None:
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        token = sign(claims_for(iat=int(an_hour_ago.timestamp()), exp=int(an_hour_ago.timestamp())))

        assert await rejection(hs256_verifier(), token) == "Token expired"

    async def test_token_not_valid_yet_is_rejected(self) -> None:
        in_an_hour = datetime.now(UTC) + timedelta(hours=1)

        await rejection(hs256_verifier(), sign(claims_for(nbf=int(in_an_hour.timestamp()))))

    async def test_tampered_claims_are_rejected(self) -> None:
        token = with_claims(sign(claims_for()), role="admin")

        assert "signature" in await rejection(hs256_verifier(), token)

    async def test_token_signed_with_another_secret_is_rejected(self) -> None:
        await rejection(hs256_verifier(), sign(claims_for(), key="another-secret-" * 4))

    async def test_wrong_issuer_is_rejected(self) -> None:
        await rejection(hs256_verifier(), sign(claims_for(iss="someone-else")))

    async def test_wrong_audience_is_rejected(self) -> None:
        await rejection(hs256_verifier(), sign(claims_for(aud="another-platform")))

    @pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub"])
    async def test_token_missing_a_required_claim_is_rejected(self, claim: str) -> None:
        await rejection(hs256_verifier(), sign(claims_for(**{claim: None})))

    async def test_alg_none_is_rejected(self) -> None:
        token = hand_signed({"alg": "none", "typ": "JWT"}, claims_for(), hmac_key=None)

        assert await rejection(hs256_verifier(), token) == "Token algorithm not allowed"

    async def test_other_hmac_algorithm_is_rejected(self) -> None:
        token = sign(claims_for(), algorithm="HS512")

        assert await rejection(hs256_verifier(), token) == "Token algorithm not allowed"

    @pytest.mark.parametrize("token", ["", "garbage", "a.b", "a.b.c", "Bearer x.y.z"])
    async def test_malformed_token_is_rejected(self, token: str) -> None:
        await rejection(hs256_verifier(), token)

    async def test_audience_can_be_chosen_per_call(self) -> None:
        # Service-to-service tokens name the callee as their audience.
        token = sign(claims_for(aud="todos"))
        verifier = hs256_verifier()

        assert (await verifier.verify(token, audience="todos"))["aud"] == "todos"
        await rejection(verifier, sign(claims_for()), audience="todos")

    async def test_reason_never_contains_the_token(self) -> None:
        token = with_claims(sign(claims_for()), role="admin")

        reason = await rejection(hs256_verifier(), token)

        for part in token.split("."):
            assert part not in reason


class TestRs256WithPublicKey:
    async def test_token_signed_by_the_private_key_is_accepted(self, signing_key: RsaKey) -> None:
        claims = claims_for()

        assert (
            await rs256_verifier(signing_key.public_pem).verify(signing_key.sign(claims)) == claims
        )

    async def test_token_signed_by_another_key_is_rejected(
        self, signing_key: RsaKey, other_signing_key: RsaKey
    ) -> None:
        token = other_signing_key.sign(claims_for())

        await rejection(rs256_verifier(signing_key.public_pem), token)

    async def test_hs256_signed_with_the_public_key_is_rejected(self, signing_key: RsaKey) -> None:
        # Algorithm confusion: the attacker uses the (public) PEM as an HMAC secret.
        token = hand_signed(
            {"alg": "HS256", "typ": "JWT"}, claims_for(), signing_key.public_pem.encode()
        )

        assert (
            await rejection(rs256_verifier(signing_key.public_pem), token)
            == "Token algorithm not allowed"
        )

    async def test_alg_none_is_rejected(self, signing_key: RsaKey) -> None:
        token = hand_signed({"alg": "none"}, claims_for(), hmac_key=None)

        await rejection(rs256_verifier(signing_key.public_pem), token)

    async def test_from_settings_prefers_the_configured_key(self, signing_key: RsaKey) -> None:
        settings = make_settings(
            jwt_algorithms=["RS256"],
            jwt_secret=None,
            jwt_public_key=signing_key.public_pem,
            jwt_jwks_url="http://127.0.0.1:9/jwks.json",
        )
        verifier = TokenVerifier.from_settings(settings)

        assert await verifier.verify(signing_key.sign(claims_for()))
        await verifier.aclose()

    async def test_hs256_settings_ignore_a_public_key(self, signing_key: RsaKey) -> None:
        verifier = TokenVerifier.from_settings(make_settings(jwt_public_key=signing_key.public_pem))

        await rejection(verifier, signing_key.sign(claims_for()))
        assert await verifier.verify(sign(claims_for()))


class FakeClock:
    """Stands in for `time` in the verification module, so cache ages need no sleeping."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(verification, "time", SimpleNamespace(monotonic=fake.monotonic))
    return fake


@pytest.fixture
def jwks_server(signing_key: RsaKey, other_signing_key: RsaKey) -> Iterator[JwksServer]:
    with JwksServer([signing_key, other_signing_key]) as server:
        yield server


@pytest.fixture
async def jwks_verifier(jwks_server: JwksServer) -> AsyncIterator[TokenVerifier]:
    settings = make_settings(
        jwt_algorithms=["RS256"],
        jwt_secret=None,
        jwt_jwks_url=jwks_server.url,
        jwt_jwks_cache_seconds=300,
    )
    verifier = TokenVerifier.from_settings(settings)
    yield verifier
    await verifier.aclose()


class TestRs256WithJwks:
    async def test_key_is_chosen_by_kid(
        self, jwks_verifier: TokenVerifier, signing_key: RsaKey, other_signing_key: RsaKey
    ) -> None:
        assert await jwks_verifier.verify(signing_key.sign(claims_for(role="user")))
        assert await jwks_verifier.verify(other_signing_key.sign(claims_for(role="admin")))

    async def test_kid_of_another_key_is_rejected(
        self, jwks_verifier: TokenVerifier, signing_key: RsaKey, other_signing_key: RsaKey
    ) -> None:
        token = signing_key.sign(claims_for(), key_id=other_signing_key.kid)

        await rejection(jwks_verifier, token)

    async def test_unknown_kid_is_rejected(
        self, jwks_verifier: TokenVerifier, signing_key: RsaKey
    ) -> None:
        token = signing_key.sign(claims_for(), key_id="retired-key")

        assert await rejection(jwks_verifier, token) == "Token signed with an unknown key"

    async def test_token_without_kid_is_rejected(
        self, jwks_verifier: TokenVerifier, signing_key: RsaKey
    ) -> None:
        token = sign(claims_for(), signing_key.private_pem, "RS256")

        assert await rejection(jwks_verifier, token) == "Token has no key id"

    async def test_hs256_signed_with_a_published_key_is_rejected(
        self, jwks_verifier: TokenVerifier, jwks_server: JwksServer, signing_key: RsaKey
    ) -> None:
        header = {"alg": "HS256", "kid": signing_key.kid}
        token = hand_signed(header, claims_for(), signing_key.public_pem.encode())

        await rejection(jwks_verifier, token)
        assert jwks_server.fetches == 0

    async def test_keys_are_fetched_once_and_cached(
        self,
        jwks_verifier: TokenVerifier,
        jwks_server: JwksServer,
        signing_key: RsaKey,
        other_signing_key: RsaKey,
        clock: FakeClock,
    ) -> None:
        for _ in range(3):
            await jwks_verifier.verify(signing_key.sign(claims_for()))
            await jwks_verifier.verify(other_signing_key.sign(claims_for()))
            clock.now += 60

        assert jwks_server.fetches == 1

    async def test_keys_are_fetched_again_once_stale(
        self,
        jwks_verifier: TokenVerifier,
        jwks_server: JwksServer,
        signing_key: RsaKey,
        clock: FakeClock,
    ) -> None:
        await jwks_verifier.verify(signing_key.sign(claims_for()))
        clock.now += 301

        await jwks_verifier.verify(signing_key.sign(claims_for()))

        assert jwks_server.fetches == 2

    async def test_unknown_kids_cannot_hammer_the_jwks_endpoint(
        self,
        jwks_verifier: TokenVerifier,
        jwks_server: JwksServer,
        signing_key: RsaKey,
        clock: FakeClock,
    ) -> None:
        await jwks_verifier.verify(signing_key.sign(claims_for()))

        for forged_kid in ("k1", "k2", "k3", "k4"):
            await rejection(jwks_verifier, signing_key.sign(claims_for(), key_id=forged_kid))
            clock.now += 1

        assert jwks_server.fetches == 1

    async def test_rotated_key_is_picked_up_without_waiting_for_the_ttl(
        self,
        jwks_verifier: TokenVerifier,
        jwks_server: JwksServer,
        signing_key: RsaKey,
        clock: FakeClock,
    ) -> None:
        await jwks_verifier.verify(signing_key.sign(claims_for()))
        rotated = RsaKey(kid="key-rotated")
        jwks_server.keys.append(rotated)
        clock.now += 11

        assert await jwks_verifier.verify(rotated.sign(claims_for()))
        assert jwks_server.fetches == 2

    async def test_failed_fetch_keeps_the_keys_already_known(
        self,
        jwks_verifier: TokenVerifier,
        jwks_server: JwksServer,
        signing_key: RsaKey,
        clock: FakeClock,
    ) -> None:
        await jwks_verifier.verify(signing_key.sign(claims_for()))
        jwks_server.status = 500
        clock.now += 301

        assert await jwks_verifier.verify(signing_key.sign(claims_for()))
        assert jwks_server.fetches == 2

    async def test_failing_endpoint_is_asked_at_most_once_per_interval(
        self,
        jwks_verifier: TokenVerifier,
        jwks_server: JwksServer,
        signing_key: RsaKey,
        clock: FakeClock,
    ) -> None:
        jwks_server.status = 500
        for forged_kid in ("k1", "k2", "k3", "k4"):
            await rejection(jwks_verifier, signing_key.sign(claims_for(), key_id=forged_kid))
            clock.now += 1
        assert jwks_server.fetches == 1

        jwks_server.status = 200
        clock.now += 10

        assert await jwks_verifier.verify(signing_key.sign(claims_for()))
        assert jwks_server.fetches == 2

    async def test_unreachable_endpoint_means_401_not_500(
        self, signing_key: RsaKey, clock: FakeClock
    ) -> None:
        jwks = JwksCache("http://127.0.0.1:9/jwks.json", ttl_seconds=300)
        verifier = TokenVerifier(
            algorithms=["RS256"], issuer=TEST_ISSUER, audience=TEST_AUDIENCE, jwks=jwks
        )

        await rejection(verifier, signing_key.sign(claims_for()))
        await verifier.aclose()


class TestRs256WithStaticKeys:
    """Keys known from configuration, chosen by `kid`: how auth verifies its own tokens."""

    def verifier(self, *keys: RsaKey) -> TokenVerifier:
        return TokenVerifier(
            algorithms=["RS256"],
            issuer=TEST_ISSUER,
            audience=TEST_AUDIENCE,
            jwks=StaticKeySet(key.jwk() for key in keys),
        )

    async def test_each_listed_key_verifies_its_tokens(
        self, signing_key: RsaKey, other_signing_key: RsaKey
    ) -> None:
        verifier = self.verifier(signing_key, other_signing_key)

        assert await verifier.verify(signing_key.sign(claims_for()))
        assert await verifier.verify(other_signing_key.sign(claims_for()))

    async def test_unlisted_key_is_rejected(
        self, signing_key: RsaKey, other_signing_key: RsaKey
    ) -> None:
        verifier = self.verifier(signing_key)

        reason = await rejection(verifier, other_signing_key.sign(claims_for()))

        assert reason == "Token signed with an unknown key"

    async def test_hs256_signed_with_a_listed_key_is_rejected(self, signing_key: RsaKey) -> None:
        header = {"alg": "HS256", "kid": signing_key.kid}
        token = hand_signed(header, claims_for(), signing_key.public_pem.encode())

        await rejection(self.verifier(signing_key), token)
