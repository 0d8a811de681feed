"""Verifying JWTs locally in every service: pinned algorithms, required claims, JWKS by `kid`."""

import asyncio
import logging
import math
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import httpx
from jose import JWTError, jwt

from todo_common.errors import Unauthorized
from todo_common.settings import SYMMETRIC_ALGORITHMS, CommonSettings

logger = logging.getLogger(__name__)

_REQUIRED_CLAIMS = {
    "require_exp": True,
    "require_iat": True,
    "require_iss": True,
    "require_aud": True,
    "require_sub": True,
}
# How long an unknown `kid` must wait before it may trigger another JWKS fetch, so forged
# tokens with random key ids cannot make us hammer the auth service.
_MIN_REFRESH_INTERVAL_SECONDS = 10.0
# Verified tokens remembered (until their `exp`), so a client's repeated requests with the
# same token are checked once. Bounded: past it the oldest entries are forgotten.
_VERIFIED_CACHE_SIZE = 10_000


class KeySource(Protocol):
    """Where a verifier finds the public key (a JWK) named by a token's `kid`."""

    async def key_for(self, key_id: str) -> dict[str, Any] | None: ...

    async def aclose(self) -> None: ...


class StaticKeySet:
    """Public keys known without fetching (auth verifies with its own), chosen by `kid`."""

    def __init__(self, keys: Iterable[Mapping[str, Any]]) -> None:
        self._keys = {str(key["kid"]): dict(key) for key in keys}

    async def key_for(self, key_id: str) -> dict[str, Any] | None:
        return self._keys.get(key_id)

    async def aclose(self) -> None:
        pass


class JwksCache:
    """The signing keys published by auth, fetched on demand and kept for a while."""

    def __init__(self, url: str, ttl_seconds: float, client: httpx.AsyncClient | None = None):
        self.url = url
        self.ttl_seconds = ttl_seconds
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = -math.inf
        # Failed fetches count towards the refresh interval too, or a failing endpoint
        # would be asked again for every token that arrives.
        self._attempted_at = -math.inf
        self._lock = asyncio.Lock()

    async def key_for(self, key_id: str) -> dict[str, Any] | None:
        if self._is_stale() or key_id not in self._keys:
            await self._refresh(force=key_id not in self._keys)
        return self._keys.get(key_id)

    def _is_stale(self) -> bool:
        return time.monotonic() - self._fetched_at > self.ttl_seconds

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            now = time.monotonic()
            if now - self._attempted_at < _MIN_REFRESH_INTERVAL_SECONDS or (
                not force and now - self._fetched_at <= self.ttl_seconds
            ):
                return
            self._attempted_at = now
            try:
                response = await self._client.get(self.url)
                response.raise_for_status()
                keys = response.json().get("keys", [])
            except (httpx.HTTPError, ValueError) as error:
                # Keep serving the keys we have; a token with an unknown kid fails with 401.
                logger.warning("JWKS fetch from %s failed: %s", self.url, error)
                return
            self._keys = {key["kid"]: key for key in keys if isinstance(key, dict) and "kid" in key}
            self._fetched_at = now

    async def aclose(self) -> None:
        await self._client.aclose()


class TokenVerifier:
    """Checks signature, algorithm, `exp`, `iat`, `iss`, `aud` and `sub`; returns the claims."""

    def __init__(
        self,
        *,
        algorithms: list[str],
        issuer: str,
        audience: str,
        secret: str | None = None,
        public_key: str | None = None,
        jwks: KeySource | None = None,
    ) -> None:
        self.algorithms = list(algorithms)
        self.issuer = issuer
        self.audience = audience
        self._secret = secret
        self._public_key = public_key
        self._jwks = jwks
        # (token, audience) -> its claims. Only tokens that passed every check get here,
        # and each is dropped once its `exp` passes, so a hit is what verifying would say.
        self._verified: dict[tuple[str, str], dict[str, Any]] = {}

    @classmethod
    def from_settings(cls, settings: CommonSettings) -> "TokenVerifier":
        uses_secret = bool(set(settings.jwt_algorithms) & SYMMETRIC_ALGORITHMS)
        jwks = None
        if not uses_secret and settings.jwt_public_key is None and settings.jwt_jwks_url:
            jwks = JwksCache(str(settings.jwt_jwks_url), settings.jwt_jwks_cache_seconds)
        return cls(
            algorithms=settings.jwt_algorithms,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            secret=settings.jwt_secret.get_secret_value() if settings.jwt_secret else None,
            public_key=settings.jwt_public_key if not uses_secret else None,
            jwks=jwks,
        )

    async def verify(self, token: str, *, audience: str | None = None) -> dict[str, Any]:
        """The token's claims, or `Unauthorized` with a reason a client may see."""
        key = (token, audience or self.audience)
        cached = self._verified.get(key)
        if cached is not None:
            if time.time() < cached["exp"]:
                return dict(cached)
            del self._verified[key]
        claims = await self._verify(token, audience=key[1])
        if len(self._verified) >= _VERIFIED_CACHE_SIZE:
            # Dicts keep insertion order: the first key is the oldest entry.
            del self._verified[next(iter(self._verified))]
        self._verified[key] = claims
        return dict(claims)

    async def _verify(self, token: str, *, audience: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except JWTError:
            raise Unauthorized("Malformed token") from None
        # python-jose also checks this, but saying it first gives a clearer reason.
        if header.get("alg") not in self.algorithms:
            raise Unauthorized("Token algorithm not allowed")
        key = await self._key_for(header)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=audience,
                issuer=self.issuer,
                options=_REQUIRED_CLAIMS,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("Token expired") from None
        except JWTError as error:
            raise Unauthorized(f"Invalid token: {_reason(error)}") from None
        return claims

    async def _key_for(self, header: dict[str, Any]) -> Any:
        if self._jwks is not None:
            key_id = header.get("kid")
            if not isinstance(key_id, str):
                raise Unauthorized("Token has no key id")
            published_key = await self._jwks.key_for(key_id)
            if published_key is None:
                raise Unauthorized("Token signed with an unknown key")
            return published_key
        configured_key = self._public_key or self._secret
        if configured_key is None:
            raise Unauthorized("No verification key configured")
        return configured_key

    async def aclose(self) -> None:
        if self._jwks is not None:
            await self._jwks.aclose()


def _reason(error: JWTError) -> str:
    # python-jose's messages are generic and contain no token material.
    text = str(error).strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else "verification failed"
