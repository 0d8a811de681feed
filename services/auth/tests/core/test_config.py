"""AuthSettings: what a deployment may configure, and what stops it at start-up."""

from typing import Any

import pytest
from pydantic import ValidationError

from auth.core.config import AuthSettings
from tests.conftest import SERVICE
from tests.keys import ec_private_pem, public_pem, rs256, rsa_private_pem
from todo_common.settings import describe_validation_error

DATABASE_URL = "postgresql://nobody:nothing@127.0.0.1:9/nowhere"


def refusal(**overrides: Any) -> str:
    """The one-line-per-variable message a refused configuration prints."""
    with pytest.raises(ValidationError) as refused:
        SERVICE.settings(DATABASE_URL, **overrides)
    return describe_validation_error(refused.value)


class TestDefaults:
    def test_design_defaults(self) -> None:
        settings = SERVICE.settings(DATABASE_URL)

        assert settings.db_schema == "auth"
        assert settings.service_name == "auth"
        assert settings.user_registered_subscribers == ["users"]
        assert settings.refresh_token_lifetime.days == 30
        assert settings.key_ring().public_keys == ()

    def test_reads_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
        monkeypatch.setenv("JWT_SECRET", "x" * 40)
        monkeypatch.setenv("SERVICE_CLIENT_SECRETS", '{"users": "s3cret"}')
        monkeypatch.setenv("USER_REGISTERED_SUBSCRIBERS", '["users", "audit"]')

        settings = AuthSettings(_env_file=None)

        assert settings.service_client_secrets["users"].get_secret_value() == "s3cret"
        assert settings.user_registered_subscribers == ["users", "audit"]


class TestRefusedConfigurations:
    def test_rs256_without_a_private_key(self) -> None:
        message = refusal(jwt_algorithms=["RS256"], jwt_secret=None)

        assert "JWT_PRIVATE_KEY must be set" in message

    def test_private_key_with_hs256(self) -> None:
        assert "JWT_PRIVATE_KEY is for RS*/ES*" in refusal(jwt_private_key=rsa_private_pem())

    def test_unreadable_private_key(self) -> None:
        message = refusal(
            **rs256("-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----")
        )

        assert "JWT_PRIVATE_KEY" in message
        assert "nonsense" not in message

    def test_ec_key_for_rs256(self) -> None:
        assert "ES256 in JWT_ALGORITHMS" in refusal(**rs256(ec_private_pem()))

    def test_unreadable_previous_key(self) -> None:
        message = refusal(**rs256(rsa_private_pem(), jwt_additional_public_keys={"old": "junk"}))

        assert "JWT_ADDITIONAL_PUBLIC_KEYS" in message

    def test_previous_key_reusing_the_current_key_id(self) -> None:
        key = rsa_private_pem()
        previous = {"same": public_pem(rsa_private_pem())}

        assert "used by two keys" in refusal(
            **rs256(key, jwt_key_id="same", jwt_additional_public_keys=previous)
        )

    def test_first_admin_email_without_password(self) -> None:
        assert "go together" in refusal(first_admin_email="root@example.com")

    def test_short_first_admin_password(self) -> None:
        message = refusal(first_admin_email="root@example.com", first_admin_password="short")

        assert "FIRST_ADMIN_PASSWORD" in message
        assert "short" not in message.split(":", 1)[0]

    def test_bad_first_admin_email(self) -> None:
        message = refusal(first_admin_email="not-an-email", first_admin_password="long-enough")

        assert "FIRST_ADMIN_EMAIL" in message
