"""Service tokens: short-lived JWTs one service presents when it calls another's `/internal`.

auth issues them at `POST /internal/service-tokens` (OAuth2 client credentials plus the
callee's name as `audience`). A caller holds a `ServiceTokenClient`, or in an HS256
deployment or a test a `LocalServiceTokenMinter`; both are `async (audience) -> token`
callables, so code that needs a token accepts any `Callable[[str], Awaitable[str]]`.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx

from todo_common.security.tokens import mint_token
from todo_common.settings import SYMMETRIC_ALGORITHMS, CommonSettings

SERVICE_ROLE = "service"
SERVICE_SUBJECT_PREFIX = "service:"
SERVICE_TOKEN_LIFETIME = timedelta(minutes=5)


def mint_service_token(
    *,
    client_id: str,
    audience: str,
    issuer: str,
    signing_key: str,
    algorithm: str,
    key_id: str | None = None,
    lifetime: timedelta = SERVICE_TOKEN_LIFETIME,
) -> str:
    """A token saying "service `client_id` calls `audience`", with role `service`."""
    return mint_token(
        subject=f"{SERVICE_SUBJECT_PREFIX}{client_id}",
        role=SERVICE_ROLE,
        issuer=issuer,
        audience=audience,
        signing_key=signing_key,
        algorithm=algorithm,
        key_id=key_id,
        lifetime=lifetime,
    )


@dataclass(frozen=True)
class _CachedToken:
    value: str
    renew_at: float  # the clock reading after which a fresh token is fetched


class ServiceTokenClient:
    """Fetches service tokens from auth and reuses each until shortly before it expires.

    `token_url` is auth's `/internal/service-tokens` (on its own port: the gateway does not
    route `/internal`). A failed fetch raises `httpx.HTTPError` (`HTTPStatusError` for a
    refusal); the caller decides whether to retry.
    """

    def __init__(
        self,
        token_url: str,
        *,
        client_id: str,
        client_secret: str,
        http_client: httpx.AsyncClient | None = None,
        renew_before_expiry: timedelta = timedelta(seconds=30),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._http = http_client or httpx.AsyncClient(timeout=5.0)
        self._margin_seconds = renew_before_expiry.total_seconds()
        self._clock = clock
        self._tokens: dict[str, _CachedToken] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def __call__(self, audience: str) -> str:
        cached = self._tokens.get(audience)
        if cached is not None and self._clock() < cached.renew_at:
            return cached.value
        # One fetch per audience at a time: callers arriving meanwhile reuse its result.
        async with self._locks.setdefault(audience, asyncio.Lock()):
            cached = self._tokens.get(audience)
            if cached is not None and self._clock() < cached.renew_at:
                return cached.value
            cached = await self._fetch(audience)
            self._tokens[audience] = cached
            return cached.value

    async def _fetch(self, audience: str) -> _CachedToken:
        requested_at = self._clock()
        response = await self._http.post(
            self.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._client_secret,
                "audience": audience,
            },
        )
        response.raise_for_status()
        body = response.json()
        # Counted from the request, not the answer, so a slow answer never overstays; and a
        # margin longer than the lifetime still keeps a token for half of it.
        lifetime = float(body["expires_in"])
        renew_at = requested_at + max(lifetime - self._margin_seconds, lifetime / 2)
        return _CachedToken(value=str(body["access_token"]), renew_at=renew_at)

    async def aclose(self) -> None:
        await self._http.aclose()


class LocalServiceTokenMinter:
    """Mints service tokens itself with the shared HMAC secret: HS256 deployments and tests.

    Same call as `ServiceTokenClient`; no network, so nothing to cache.
    """

    def __init__(
        self,
        *,
        client_id: str,
        secret: str,
        issuer: str,
        algorithm: str = "HS256",
        lifetime: timedelta = SERVICE_TOKEN_LIFETIME,
    ) -> None:
        self.client_id = client_id
        self._secret = secret
        self._issuer = issuer
        self._algorithm = algorithm
        self._lifetime = lifetime

    @classmethod
    def from_settings(
        cls, settings: CommonSettings, *, client_id: str
    ) -> "LocalServiceTokenMinter":
        if settings.jwt_secret is None:
            raise ValueError("LocalServiceTokenMinter needs JWT_SECRET (an HS256 deployment)")
        return cls(
            client_id=client_id,
            secret=settings.jwt_secret.get_secret_value(),
            issuer=settings.jwt_issuer,
            algorithm=settings.jwt_algorithms[0],
        )

    async def __call__(self, audience: str) -> str:
        return mint_service_token(
            client_id=self.client_id,
            audience=audience,
            issuer=self._issuer,
            signing_key=self._secret,
            algorithm=self._algorithm,
            lifetime=self._lifetime,
        )


def service_token_provider(
    settings: CommonSettings,
) -> "LocalServiceTokenMinter | ServiceTokenClient":
    """How this service gets tokens to call others: minted with the shared secret (HS*), or
    fetched from auth with its client secret (RS*/ES*, where only auth holds a signing key).
    """
    if set(settings.jwt_algorithms) & SYMMETRIC_ALGORITHMS:
        return LocalServiceTokenMinter.from_settings(settings, client_id=settings.service_name)
    if settings.service_token_url is None or settings.service_client_secret is None:
        raise ValueError(
            "SERVICE_TOKEN_URL and SERVICE_CLIENT_SECRET must be set to call other services "
            "with RS*/ES* tokens"
        )
    return ServiceTokenClient(
        str(settings.service_token_url),
        client_id=settings.service_name,
        client_secret=settings.service_client_secret.get_secret_value(),
    )
