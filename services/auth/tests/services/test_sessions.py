"""Login does the same work whether or not the account exists."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from auth.core.config import AuthSettings
from auth.services import sessions
from auth.services.errors import InvalidCredentials
from auth.services.passwords import Passwords
from tests.fixtures import new_user


class CountingPasswords(Passwords):
    """Real argon2, counting the verifications and the hashes they were made against."""

    def __init__(self) -> None:
        super().__init__(memory_kib=1024, time_cost=1, concurrency=1)
        self.verified: list[str | None] = []

    def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        self.verified.append(password_hash)
        return super().verify(password, password_hash)


@pytest.fixture
def engine(client: TestClient) -> Engine:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    return engine


def log_in(engine: Engine, client: TestClient, passwords: Passwords, username: str) -> None:
    state = client.app.state  # type: ignore[attr-defined]
    sessions.log_in(
        engine,
        username=username,
        password="wrong password",
        passwords=passwords,
        policy=state.lockout_policy,
        issuer=state.token_issuer,
    )


class TestLogInWork:
    def test_unknown_email_still_verifies_a_hash(
        self, engine: Engine, client: TestClient, settings: AuthSettings
    ) -> None:
        passwords = CountingPasswords()

        with pytest.raises(InvalidCredentials):
            log_in(engine, client, passwords, "nobody@example.com")

        assert passwords.verified == [None]

    def test_unusable_username_still_verifies_a_hash(
        self, engine: Engine, client: TestClient
    ) -> None:
        passwords = CountingPasswords()

        with pytest.raises(InvalidCredentials):
            log_in(engine, client, passwords, "x" * 1000)

        assert passwords.verified == [None]

    def test_known_email_verifies_the_accounts_hash(
        self, engine: Engine, client: TestClient
    ) -> None:
        user = new_user(client)
        passwords = CountingPasswords()

        with pytest.raises(InvalidCredentials):
            log_in(engine, client, passwords, user.email)

        [verified_hash] = passwords.verified
        assert verified_hash is not None
        assert verified_hash.startswith("$argon2id$")


class TestPasswords:
    def test_dummy_verification_never_matches(self) -> None:
        assert CountingPasswords().verify("anything", None) == (False, None)

    def test_hash_made_with_other_parameters_is_upgraded(self) -> None:
        old = Passwords(memory_kib=2048, time_cost=1, concurrency=1).hash("s3cret-password")
        current = Passwords(memory_kib=1024, time_cost=1, concurrency=1)

        matches, upgraded = current.verify("s3cret-password", old)

        assert matches
        assert upgraded is not None
        assert "m=1024" in upgraded
        assert current.verify("s3cret-password", upgraded) == (True, None)

    def test_lone_surrogates_hash_and_verify(self) -> None:
        passwords = CountingPasswords()

        hashed = passwords.hash("pass\ud800word")

        assert passwords.verify("pass\ud800word", hashed)[0]
        assert not passwords.verify("pass\ud801word", hashed)[0]
