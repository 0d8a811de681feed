"""The auth service's settings."""

from datetime import timedelta
from typing import Annotated, ClassVar

from pydantic import EmailStr, Field, PositiveInt, SecretStr, model_validator

from auth.core.keys import KeyRing
from todo_common.settings import SYMMETRIC_ALGORITHMS, CommonSettings, ServiceName

KeyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]


class AuthMigrationSettings(CommonSettings):
    """What auth's migrations read: the database, not the signing key (a Job never signs)."""

    service_name: str = "auth"


class AuthSettings(AuthMigrationSettings):
    # `_signing_key_fits` checks that the private key is there, with a message naming it.
    holds_signing_key: ClassVar[bool] = True

    # Signing. With RS*/ES* in JWT_ALGORITHMS auth signs with this private key (PEM) and
    # publishes its public half under JWT_KEY_ID (default: the key's RFC 7638 thumbprint).
    jwt_private_key: SecretStr | None = None
    jwt_key_id: KeyId | None = None
    # Previous public keys, still published (and accepted) until removed: key id -> PEM.
    jwt_additional_public_keys: dict[KeyId, str] = {}

    refresh_token_lifetime_days: PositiveInt = 30

    # Lockout: from the `threshold`-th consecutive failure on one address, each failure
    # locks it for base * 2^(failures - threshold) seconds, at most `max` seconds.
    login_lockout_threshold: PositiveInt = 5
    login_lockout_base_seconds: PositiveInt = 30
    login_lockout_max_seconds: PositiveInt = 900

    # argon2id cost (OWASP's minimum profile by default: 19 MiB, 2 passes, 1 lane), and how
    # many hashes may run at once, which bounds the memory logins can take.
    password_hash_memory_kib: Annotated[int, Field(ge=1024)] = 19_456
    password_hash_time_cost: PositiveInt = 2
    password_hash_concurrency: PositiveInt = 4

    # Service tokens: client id -> secret of each service that may ask for one, and the
    # services a token may be asked for (its audience).
    service_client_secrets: dict[ServiceName, SecretStr] = {}
    service_token_audiences: list[ServiceName] = ["auth", "users", "todos"]

    # Who receives `user.registered` (the outbox writes one message per subscriber).
    user_registered_subscribers: list[ServiceName] = ["users"]

    # Created at start-up when no account has this email (never updated afterwards).
    first_admin_email: EmailStr | None = None
    first_admin_password: Annotated[SecretStr, Field(min_length=8, max_length=128)] | None = None
    first_admin_name: Annotated[str, Field(min_length=1, max_length=100)] = "Administrator"

    @model_validator(mode="after")
    def _first_admin_complete(self) -> "AuthSettings":
        if (self.first_admin_email is None) != (self.first_admin_password is None):
            raise ValueError("FIRST_ADMIN_EMAIL and FIRST_ADMIN_PASSWORD go together")
        return self

    @model_validator(mode="after")
    def _signing_key_fits(self) -> "AuthSettings":
        symmetric = bool(set(self.jwt_algorithms) & SYMMETRIC_ALGORITHMS)
        if symmetric and self.jwt_private_key is not None:
            raise ValueError("JWT_PRIVATE_KEY is for RS*/ES*; JWT_ALGORITHMS is HMAC")
        if not symmetric and self.jwt_private_key is None:
            raise ValueError("JWT_PRIVATE_KEY must be set: auth signs the tokens")
        # Reading the keys once here stops a bad PEM at start-up, with this message.
        self.key_ring()
        return self

    def key_ring(self) -> KeyRing:
        if self.jwt_private_key is None:
            if self.jwt_secret is None:  # the common validator already refuses this
                raise ValueError("JWT_SECRET must be set for HS*")
            return KeyRing.hmac(
                secret=self.jwt_secret.get_secret_value(), algorithm=self.jwt_algorithms[0]
            )
        try:
            return KeyRing.asymmetric(
                private_key_pem=self.jwt_private_key.get_secret_value(),
                algorithms=self.jwt_algorithms,
                key_id=self.jwt_key_id,
                previous_public_keys=self.jwt_additional_public_keys,
            )
        except (ValueError, TypeError) as error:
            # cryptography's messages name the problem, never the key material.
            raise ValueError(f"JWT_PRIVATE_KEY / JWT_ADDITIONAL_PUBLIC_KEYS: {error}") from None

    @property
    def refresh_token_lifetime(self) -> timedelta:
        return timedelta(days=self.refresh_token_lifetime_days)
