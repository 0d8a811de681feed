from datetime import UTC, datetime, timedelta

from tests.fixtures import RsaKey
from todo_common.security.tokens import mint_token
from todo_common.testing.harness import TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET
from todo_common.testing.tokens import decoded_segment


class TestMintToken:
    def test_carries_the_claims_of_the_design(self) -> None:
        issued_at = datetime(2030, 1, 1, tzinfo=UTC)

        token = mint_token(
            subject="user-1",
            role="admin",
            email="a@example.com",
            issuer=TEST_ISSUER,
            audience=TEST_AUDIENCE,
            signing_key=TEST_JWT_SECRET,
            algorithm="HS256",
            lifetime=timedelta(minutes=15),
            now=issued_at,
        )
        claims = decoded_segment(token, 1)

        assert claims["sub"] == "user-1"
        assert claims["role"] == "admin"
        assert claims["email"] == "a@example.com"
        assert claims["iss"] == TEST_ISSUER
        assert claims["aud"] == TEST_AUDIENCE
        assert claims["iat"] == int(issued_at.timestamp())
        assert claims["exp"] == int((issued_at + timedelta(minutes=15)).timestamp())
        assert len(claims["jti"]) == 32

    def test_names_the_key_id_in_the_header(self, signing_key: RsaKey) -> None:
        token = mint_token(
            subject="user-1",
            role="user",
            issuer=TEST_ISSUER,
            audience=TEST_AUDIENCE,
            signing_key=signing_key.private_pem,
            algorithm="RS256",
            key_id="key-a",
        )
        header = decoded_segment(token, 0)

        assert header == {"alg": "RS256", "kid": "key-a", "typ": "JWT"}

    def test_every_token_has_its_own_jti(self) -> None:
        def jti() -> str:
            token = mint_token(
                subject="user-1",
                role="user",
                issuer=TEST_ISSUER,
                audience=TEST_AUDIENCE,
                signing_key=TEST_JWT_SECRET,
                algorithm="HS256",
            )
            return str(decoded_segment(token, 1)["jti"])

        assert jti() != jti()
