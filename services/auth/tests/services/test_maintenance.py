"""Start-up tasks: the purge of expired state, and the first admin."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from auth.core.config import AuthSettings
from auth.main import build_app
from auth.services import maintenance
from auth.services.passwords import Passwords
from tests.conftest import SERVICE
from tests.fixtures import (
    LOGIN,
    ClientFactory,
    accounts_with_email,
    database,
    expire_refresh_tokens,
    new_user,
    outbox_messages,
    refresh,
    unverified_claims,
)

ADMIN = {"first_admin_email": "Root@Example.com", "first_admin_password": "admin-password"}


@pytest.fixture
def engine(client: TestClient) -> Engine:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    return engine


def count(settings: AuthSettings, table: str) -> int:
    with database(settings) as cursor:
        cursor.execute(f"SELECT count(*) FROM auth.{table}")  # noqa: S608 - a test's own names
        (number,) = cursor.fetchone()
        return int(number)


class TestPurgeExpired:
    def test_deletes_expired_refresh_tokens_only(
        self, client: TestClient, engine: Engine, settings: AuthSettings
    ) -> None:
        stale, fresh = new_user(client), new_user(client)
        stale.tokens()
        live_token = fresh.tokens()["refresh_token"]
        expire_refresh_tokens(settings, stale.id)

        maintenance.purge_expired(engine, policy=client.app.state.lockout_policy)  # type: ignore[attr-defined]

        assert count(settings, "refresh_token") == 1
        assert refresh(client, live_token).status_code == 200

    def test_forgets_old_failures_but_keeps_recent_ones_and_locks(
        self, client: TestClient, engine: Engine, settings: AuthSettings
    ) -> None:
        for email in ("old@example.com", "recent@example.com", "locked@example.com"):
            client.post(LOGIN, data={"username": email, "password": "wrong"})
        with database(settings) as cursor:
            cursor.execute(
                "UPDATE auth.login_failure SET last_failed_at = now() - interval '2 days'"
                " WHERE email IN ('old@example.com', 'locked@example.com')"
            )
            cursor.execute(
                "UPDATE auth.login_failure SET locked_until = now() + interval '1 hour'"
                " WHERE email = 'locked@example.com'"
            )

        maintenance.purge_expired(engine, policy=client.app.state.lockout_policy)  # type: ignore[attr-defined]

        with database(settings) as cursor:
            cursor.execute("SELECT email FROM auth.login_failure ORDER BY email")
            assert cursor.fetchall() == [("locked@example.com",), ("recent@example.com",)]

    def test_runs_at_start_up(
        self, client_with: ClientFactory, client: TestClient, settings: AuthSettings
    ) -> None:
        user = new_user(client)
        user.tokens()
        expire_refresh_tokens(settings, user.id)

        client_with()

        assert count(settings, "refresh_token") == 0

    def test_a_database_that_is_down_does_not_stop_the_start(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        unreachable = SERVICE.settings(
            "postgresql://nobody:nothing@127.0.0.1:9/nowhere", db_connect_retry_seconds=0
        )

        with TestClient(build_app(unreachable), raise_server_exceptions=False) as down:
            assert down.get("/healthz").status_code == 200
            assert down.get("/readyz").status_code == 503

        assert "purge skipped: OperationalError" in capsys.readouterr().out


class TestFirstAdmin:
    def test_is_created_at_start_up_and_can_log_in(
        self, client_with: ClientFactory, settings: AuthSettings
    ) -> None:
        client = client_with(**ADMIN)

        response = client.post(
            LOGIN, data={"username": "root@example.com", "password": "admin-password"}
        )

        [(admin_id, role)] = accounts_with_email(settings, "root@example.com")
        assert role == "admin"
        assert response.status_code == 200
        claims = unverified_claims(response.json()["access_token"])
        assert (claims["sub"], claims["role"]) == (admin_id, "admin")

    def test_is_announced_as_user_registered(
        self, client_with: ClientFactory, settings: AuthSettings
    ) -> None:
        client_with(**ADMIN)

        [(event_type, subscriber, payload)] = outbox_messages(settings)

        assert (event_type, subscriber) == ("user.registered", "users")
        assert payload["email"] == "root@example.com"
        assert payload["name"] == "Administrator"

    def test_later_start_ups_change_nothing(
        self, client_with: ClientFactory, settings: AuthSettings
    ) -> None:
        client_with(**ADMIN)
        client_with(**{**ADMIN, "first_admin_password": "another-password"})

        assert len(accounts_with_email(settings, "root@example.com")) == 1
        assert len(outbox_messages(settings)) == 1

    def test_an_existing_account_with_that_email_is_left_alone(
        self, client: TestClient, client_with: ClientFactory, settings: AuthSettings
    ) -> None:
        user = new_user(client, email="root@example.com")

        client_with(**ADMIN)

        assert accounts_with_email(settings, "root@example.com") == [(user.id, "user")]
        assert user.login().status_code == 200

    def test_replicas_starting_together_create_one_admin(
        self, engine: Engine, settings: AuthSettings
    ) -> None:
        configured = SERVICE.settings(settings.database_url, **ADMIN)
        passwords = Passwords(memory_kib=1024, time_cost=1, concurrency=8)

        def start(_: int) -> None:
            maintenance.create_first_admin(engine, settings=configured, passwords=passwords)

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(start, range(6)))

        assert len(accounts_with_email(settings, "root@example.com")) == 1
        assert len(outbox_messages(settings)) == 1

    def test_the_password_is_never_logged(
        self, client_with: ClientFactory, capsys: pytest.CaptureFixture[str]
    ) -> None:
        client_with(**ADMIN, log_level="DEBUG")

        logs = capsys.readouterr().out
        assert "first admin created" in logs
        assert "admin-password" not in logs
