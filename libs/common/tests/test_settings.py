from pathlib import Path

import pytest

from tests.fixtures import RsaKey
from todo_common.settings import CommonSettings, load_settings

DATABASE_URL = "postgresql://todos:pw@127.0.0.1:5432/todo"
GOOD_SECRET = "a-development-secret-of-32-chars!"
VARIABLES = [name.upper() for name in CommonSettings.model_fields]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean environment holding a valid HS256 configuration, and no `.env` to read."""
    monkeypatch.chdir(tmp_path)
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    monkeypatch.setenv("DB_SCHEMA", "todos")
    monkeypatch.setenv("JWT_SECRET", GOOD_SECRET)
    return monkeypatch


def rejected(capsys: pytest.CaptureFixture[str]) -> str:
    """Load the settings, expect the process to stop, and return what it printed."""
    with pytest.raises(SystemExit) as stopped:
        load_settings(CommonSettings)
    assert stopped.value.code != 0
    return capsys.readouterr().err


class TestLoadSettings:
    def test_valid_environment_loads(self) -> None:
        settings = load_settings(CommonSettings)

        assert settings.database_url == DATABASE_URL
        assert settings.db_schema == "todos"
        assert settings.jwt_algorithms == ["HS256"]
        assert settings.jwt_secret is not None
        assert settings.jwt_secret.get_secret_value() == GOOD_SECRET

    def test_dotenv_file_is_read(self, environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
        environment.delenv("DB_SCHEMA")
        (tmp_path / ".env").write_text("DB_SCHEMA=users\n")

        assert load_settings(CommonSettings).db_schema == "users"

    def test_missing_database_url_names_the_variable(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.delenv("DATABASE_URL")

        assert "DATABASE_URL" in rejected(capsys)

    def test_database_url_of_another_dialect_is_refused_without_echoing_it(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.setenv("DATABASE_URL", "mysql://app:hunter2-password@db/app")

        message = rejected(capsys)

        assert "DATABASE_URL" in message
        assert "hunter2-password" not in message

    def test_short_jwt_secret_is_refused_without_echoing_it(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        short_secret = "only-31-characters-long-secret!"
        assert len(short_secret) == 31
        environment.setenv("JWT_SECRET", short_secret)

        message = rejected(capsys)

        assert "JWT_SECRET" in message
        assert short_secret not in message

    def test_hs256_without_a_secret_is_refused(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.delenv("JWT_SECRET")

        assert "JWT_SECRET" in rejected(capsys)

    def test_unknown_algorithm_is_refused(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.setenv("JWT_ALGORITHMS", "none")

        assert "JWT_ALGORITHMS" in rejected(capsys)

    def test_empty_algorithm_list_is_refused(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.setenv("JWT_ALGORITHMS", "")

        assert "JWT_ALGORITHMS" in rejected(capsys)

    def test_mixing_hmac_and_public_key_algorithms_is_refused(
        self,
        environment: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        signing_key: RsaKey,
    ) -> None:
        environment.setenv("JWT_ALGORITHMS", "HS256,RS256")
        environment.setenv("JWT_PUBLIC_KEY", signing_key.public_pem)

        message = rejected(capsys)

        assert "JWT_ALGORITHMS" in message
        assert GOOD_SECRET not in message

    def test_rs256_without_a_key_is_refused(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.setenv("JWT_ALGORITHMS", "RS256")
        environment.delenv("JWT_SECRET")

        message = rejected(capsys)

        assert "JWT_PUBLIC_KEY" in message
        assert "JWT_JWKS_URL" in message

    def test_malformed_jwks_url_is_refused(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.setenv("JWT_ALGORITHMS", "RS256")
        environment.setenv("JWT_JWKS_URL", "not a url")

        assert "JWT_JWKS_URL" in rejected(capsys)

    def test_every_bad_variable_is_named_at_once(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.delenv("DATABASE_URL")
        environment.setenv("DB_POOL_SIZE", "0")
        environment.setenv("LOG_LEVEL", "CHATTY")

        message = rejected(capsys)

        for variable in ("DATABASE_URL", "DB_POOL_SIZE", "LOG_LEVEL"):
            assert variable in message


class TestListVariables:
    @pytest.mark.parametrize(
        "raw",
        [
            "https://app.example.com,http://localhost:5173",
            " https://app.example.com , http://localhost:5173 ,",
            '["https://app.example.com", "http://localhost:5173"]',
        ],
        ids=["commas", "commas-with-spaces", "json-array"],
    )
    def test_cors_origins_accept_comma_lists_and_json_arrays(
        self, environment: pytest.MonkeyPatch, raw: str
    ) -> None:
        environment.setenv("CORS_ORIGINS", raw)

        settings = load_settings(CommonSettings)

        assert settings.cors_origins == ["https://app.example.com", "http://localhost:5173"]

    def test_empty_cors_origins_means_no_origin(self, environment: pytest.MonkeyPatch) -> None:
        environment.setenv("CORS_ORIGINS", "")

        assert load_settings(CommonSettings).cors_origins == []

    @pytest.mark.parametrize("raw", ["RS256,ES256", '["RS256", "ES256"]'])
    def test_jwt_algorithms_accept_comma_lists_and_json_arrays(
        self, environment: pytest.MonkeyPatch, signing_key: RsaKey, raw: str
    ) -> None:
        environment.setenv("JWT_ALGORITHMS", raw)
        environment.setenv("JWT_PUBLIC_KEY", signing_key.public_pem)

        assert load_settings(CommonSettings).jwt_algorithms == ["RS256", "ES256"]

    def test_rs256_with_a_jwks_url_loads(self, environment: pytest.MonkeyPatch) -> None:
        environment.setenv("JWT_ALGORITHMS", "RS256")
        environment.setenv("JWT_JWKS_URL", "http://auth:8000/api/v1/auth/.well-known/jwks.json")

        settings = load_settings(CommonSettings)

        assert str(settings.jwt_jwks_url).endswith("/jwks.json")


class TestMigrationDatabaseUrl:
    def test_falls_back_to_the_pooled_url(self) -> None:
        assert load_settings(CommonSettings).migration_database_url == DATABASE_URL

    def test_prefers_the_direct_url(self, environment: pytest.MonkeyPatch) -> None:
        direct = "postgresql://todos:pw@direct.example.com:5432/todo"
        environment.setenv("DATABASE_URL_DIRECT", direct)

        assert load_settings(CommonSettings).migration_database_url == direct


class TestEventSettings:
    def test_no_subscribers_by_default(self) -> None:
        assert load_settings(CommonSettings).event_subscribers == {}

    def test_subscribers_are_a_json_map_of_names_to_urls(
        self, environment: pytest.MonkeyPatch
    ) -> None:
        environment.setenv(
            "EVENT_SUBSCRIBERS", '{"todos": "http://todos:8003", "auth": "http://auth:8001/"}'
        )

        subscribers = load_settings(CommonSettings).event_subscribers

        assert {name: str(url) for name, url in subscribers.items()} == {
            "todos": "http://todos:8003/",
            "auth": "http://auth:8001/",
        }

    def test_subscriber_that_is_not_a_url_is_refused(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.setenv("EVENT_SUBSCRIBERS", '{"todos": "todos:8003"}')

        assert "EVENT_SUBSCRIBERS_TODOS" in rejected(capsys)

    def test_lease_must_outlast_a_delivery(
        self, environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        environment.setenv("OUTBOX_LEASE_SECONDS", "5")
        environment.setenv("OUTBOX_DELIVERY_TIMEOUT_SECONDS", "5")

        assert "OUTBOX_LEASE_SECONDS must be longer" in rejected(capsys)
