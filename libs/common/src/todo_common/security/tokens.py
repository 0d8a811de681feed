"""Minting JWTs: auth issues them, the tests use the same code to make theirs."""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import jwt

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)


def mint_token(
    *,
    subject: str,
    role: str,
    issuer: str,
    audience: str,
    signing_key: str,
    algorithm: str,
    lifetime: timedelta = ACCESS_TOKEN_LIFETIME,
    email: str | None = None,
    key_id: str | None = None,
    extra_claims: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> str:
    """Sign a token with the platform's claims (docs/architecture.md, "Identity").

    `signing_key` is the HMAC secret or a PEM key.
    """
    issued_at = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "role": role,
        "iss": issuer,
        "aud": audience,
        "iat": int(issued_at.timestamp()),
        "exp": int((issued_at + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if email is not None:
        claims["email"] = email
    claims.update(extra_claims or {})
    headers = {"kid": key_id} if key_id else None
    return str(jwt.encode(claims, signing_key, algorithm=algorithm, headers=headers))
