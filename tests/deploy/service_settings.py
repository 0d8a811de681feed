"""Who sends events to whom, and a deployment's environment read by the real settings classes.

Both docker-compose.yml and the Kubernetes overlays are checked against these, so a
setting the services would refuse (or read differently) fails here, not at start-up.
"""

import os
from functools import cache
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.routing import APIRoute

from auth.api.routes.service_tokens import router as service_tokens_router
from auth.core.config import AuthMigrationSettings, AuthSettings
from todo_common.events.envelope import EVENTS_PATH
from todo_common.platform import SERVICE_PORTS
from todo_common.settings import CommonSettings
from todos.core.config import TodosSettings
from users.core.config import UsersSettings

SETTINGS_CLASSES: dict[str, type[CommonSettings]] = {
    "auth": AuthSettings,
    "users": UsersSettings,
    "todos": TodosSettings,
}
# What each service's migrations (the Jobs) read: auth's needs no signing key.
MIGRATION_SETTINGS_CLASSES: dict[str, type[CommonSettings]] = {
    **SETTINGS_CLASSES,
    "auth": AuthMigrationSettings,
}
# (producer, subscriber): auth publishes user.registered to users; users publishes
# user.deleted to auth and todos; todos publishes nothing.
EVENT_EDGES = {("auth", "users"), ("users", "auth"), ("users", "todos")}


def service_token_path() -> str:
    """Where auth answers `POST /internal/service-tokens` (its router, not a copy)."""
    [path] = [route.path for route in service_tokens_router.routes if isinstance(route, APIRoute)]
    return path


def assert_base_url_of(url: str, service: str) -> None:
    """`url` is `service`'s base URL on the platform network: scheme, host and port only.

    The relay appends `/internal/events` itself; a URL that already ends with it would
    make it post to `/internal/events/internal/events`.
    """
    parts = urlsplit(url)
    assert parts.scheme == "http", url
    assert parts.hostname == service, url
    assert parts.port == SERVICE_PORTS[service], url
    assert parts.path in {"", "/"}, f"{url}: a base URL, without {EVENTS_PATH} or any path"
    assert not parts.query, url
    assert not parts.fragment, url
    assert parts.username is None, url
    assert parts.password is None, url


def published_to(settings: CommonSettings) -> set[str]:
    """Every subscriber the service's own events name (its `<event>_subscribers` settings).

    `event_subscribers` is the address book, the same for every service; these say who
    gets what.
    """
    return {
        subscriber
        for name, value in settings
        if name.endswith("_subscribers") and name != "event_subscribers"
        for subscriber in value
    }


def assert_relay_delivers_to(settings: CommonSettings, subscriber: str) -> None:
    """What the relay posts to for `subscriber` (relay.py: base URL + EVENTS_PATH)."""
    base_url = str(settings.event_subscribers[subscriber]).rstrip("/")
    assert base_url + EVENTS_PATH == (
        f"http://{subscriber}:{SERVICE_PORTS[subscriber]}{EVENTS_PATH}"
    )


def load_service_settings(
    service: str,
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    migration: bool = False,
) -> CommonSettings:
    """The service's settings from exactly `environment` (no `.env`, nothing inherited).

    With `migration`, the class its migrations read (auth's needs no signing key).
    """
    settings_class = (MIGRATION_SETTINGS_CLASSES if migration else SETTINGS_CLASSES)[service]
    for key in list(os.environ):
        if key.lower() in settings_class.model_fields:
            monkeypatch.delenv(key)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return settings_class(_env_file=None)


@cache
def rsa_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM): stand-ins for the operator's signing key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public
