"""Factories for the shared library's tests: settings, tiny apps, keys, tokens, a JWKS server."""

import io
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from jose import jwk, jwt

from todo_common.app import BackgroundTask, StartupHook, create_app
from todo_common.embedded_postgres import EmbeddedPostgres
from todo_common.logging import JsonFormatter
from todo_common.settings import CommonSettings
from todo_common.testing.harness import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    TEST_JWT_SECRET,
    service_settings_values,
)

# Nothing listens on the discard port: an app built with this URL never reaches a database,
# and any test that tries fails fast instead of hanging.
UNREACHABLE_DATABASE_URL = "postgresql://nobody:nothing@127.0.0.1:9/nowhere"
APP_NAME = "widgets"
API_PREFIX = f"/api/v1/{APP_NAME}"


# Settings and apps


def make_settings(
    database_url: str = UNREACHABLE_DATABASE_URL, schema: str = "todos", **overrides: Any
) -> CommonSettings:
    """Settings as a service under test gets them, never read from a `.env` file."""
    values = {**service_settings_values(database_url, schema), **overrides}
    return CommonSettings(_env_file=None, **values)


def make_app(
    *routers: APIRouter,
    settings: CommonSettings | None = None,
    on_startup: Sequence[StartupHook] = (),
    internal_routers: Sequence[APIRouter] = (),
    background_tasks: Sequence[BackgroundTask] = (),
) -> FastAPI:
    """A service built by `create_app`, mounted under `/api/v1/widgets`."""
    settings = settings or make_settings()
    return create_app(
        name=APP_NAME,
        settings=settings,
        routers=list(routers),
        model_schema=settings.db_schema,
        on_startup=on_startup,
        internal_routers=internal_routers,
        background_tasks=background_tasks,
    )


def make_client(*routers: APIRouter, **app_options: Any) -> TestClient:
    """A client that sees every answer, 500s included, as a browser would."""
    return TestClient(make_app(*routers, **app_options), raise_server_exceptions=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class CapturedLogs:
    """What the service logged, one JSON object a line."""

    stream: io.StringIO

    @property
    def text(self) -> str:
        # The test client's own request log (httpx) is not the service's.
        return "\n".join(
            line
            for line in self.stream.getvalue().splitlines()
            if not json.loads(line)["logger"].startswith("httpx")
        )

    def lines(self, logger: str | None = None) -> list[dict[str, Any]]:
        entries = [json.loads(line) for line in self.text.splitlines()]
        return [entry for entry in entries if logger is None or entry["logger"] == logger]


def capture_logs() -> CapturedLogs:
    """Point the JSON handler the last `create_app` installed at a buffer the test can read."""
    [handler] = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and isinstance(handler.formatter, JsonFormatter)
    ]
    captured = CapturedLogs(io.StringIO())
    handler.setStream(captured.stream)
    return captured


# Tokens


def claims_for(**overrides: Any) -> dict[str, Any]:
    """Valid claims for the test issuer and audience; an override of None removes the claim."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "role": "user",
        "email": "someone@example.com",
        "iss": TEST_ISSUER,
        "aud": TEST_AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=15)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def sign(
    claims: dict[str, Any],
    key: str = TEST_JWT_SECRET,
    algorithm: str = "HS256",
    key_id: str | None = None,
) -> str:
    headers = {"kid": key_id} if key_id else None
    return str(jwt.encode(claims, key, algorithm=algorithm, headers=headers))


@dataclass
class RsaKey:
    """An RSA key pair as auth would hold it, with the key id it publishes."""

    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @cached_property
    def _private(self) -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @cached_property
    def private_pem(self) -> str:
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    @cached_property
    def public_pem(self) -> str:
        return (
            self._private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = jwk.construct(self.public_pem, "RS256").to_dict()
        return {**public, "kid": self.kid, "use": "sig"}

    def sign(self, claims: dict[str, Any], *, key_id: str | None = None) -> str:
        """Signed with this key; the header names `key_id` (this key's id by default)."""
        return sign(claims, self.private_pem, "RS256", key_id=key_id or self.kid)


# A JWKS endpoint on a real socket


class JwksServer:
    """Serves `{"keys": [...]}` on 127.0.0.1 from a thread, counting the fetches."""

    def __init__(self, keys: Sequence[RsaKey]) -> None:
        self.keys = list(keys)
        self.fetches = 0
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                body = json.dumps({"keys": [key.jwk() for key in server.keys]}).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/.well-known/jwks.json"

    def __enter__(self) -> "JwksServer":
        # A short poll interval keeps `shutdown()` from waiting half a second per test.
        serve = partial(self._http.serve_forever, poll_interval=0.01)
        threading.Thread(target=serve, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.shutdown()
        self._http.server_close()


# The real database, taken away for a while


@contextmanager
def database_down(postgres: EmbeddedPostgres) -> Iterator[None]:
    """Stop the session's cluster; it runs again afterwards, whatever the test did."""
    try:
        postgres.stop()
        yield
    finally:
        if not postgres.is_running():
            postgres.start()


# An event subscriber on a real socket


@dataclass
class Receipt:
    """One POST the subscriber received."""

    path: str
    authorization: str
    request_id: str
    envelope: dict[str, Any]


class Subscriber:
    """Receives events on 127.0.0.1 from a thread, keeping every receipt.

    `status` is what it answers; `delay` makes each answer slow; `stop()` and `start()`
    take it off the network and back on the same port (connections are then refused).
    """

    def __init__(self, status: int = 204, delay: float = 0.0) -> None:
        self.status = status
        self.delay = delay
        self.receipts: list[Receipt] = []
        self._lock = threading.Lock()
        self._http: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def received_ids(self) -> list[str]:
        with self._lock:
            return [receipt.envelope["id"] for receipt in self.receipts]

    def start(self) -> "Subscriber":
        subscriber = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if subscriber.delay:
                    time.sleep(subscriber.delay)
                with subscriber._lock:
                    subscriber.receipts.append(
                        Receipt(
                            path=self.path,
                            authorization=self.headers.get("Authorization", ""),
                            request_id=self.headers.get("X-Request-ID", ""),
                            envelope=json.loads(body),
                        )
                    )
                self.send_response(subscriber.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            # Two relays send 20 requests at once; the default backlog of 5 would drop some.
            request_queue_size = 128

        self._http = Server(("127.0.0.1", self.port), Handler)
        self.port = self._http.server_address[1]
        threading.Thread(
            target=partial(self._http.serve_forever, poll_interval=0.01), daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
