"""auth's signing keys: the one it signs with, the public keys it publishes, how it verifies.

HS256 (local development): one shared secret signs and verifies; nothing is published.
RS256/ES256 (production): auth alone holds the private key; its public half and any previous
public keys still in use are published as a JWKS, each under its `kid`, and auth verifies
its own tokens with the same set (see docs/architecture.md, "Key rotation").
"""

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk

from todo_common.security.verification import StaticKeySet, TokenVerifier
from todo_common.settings import CommonSettings

# The members of each key type that identify it (RFC 7638, JWK thumbprints).
_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}
_EC_CURVE_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}


@dataclass(frozen=True)
class KeyRing:
    algorithm: str
    # The HMAC secret, or the private key as PEM.
    signing_key: str
    key_id: str | None
    # Public JWKs, the signing key's first; empty with HMAC.
    public_keys: tuple[dict[str, Any], ...] = ()

    @classmethod
    def hmac(cls, *, secret: str, algorithm: str) -> "KeyRing":
        return cls(algorithm=algorithm, signing_key=secret, key_id=None)

    @classmethod
    def asymmetric(
        cls,
        *,
        private_key_pem: str,
        algorithms: list[str],
        key_id: str | None = None,
        previous_public_keys: Mapping[str, str] | None = None,
    ) -> "KeyRing":
        """Sign with `private_key_pem`; also publish `previous_public_keys` (kid -> PEM).

        Raises ValueError, naming the problem, for a key that is unreadable or does not fit
        `algorithms`.
        """
        private_key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        algorithm = algorithm_for(private_key, algorithms)
        current = public_jwk(private_key_pem, algorithm=algorithm, key_id=key_id)
        published = [current]
        for previous_id, pem in (previous_public_keys or {}).items():
            if previous_id == current["kid"]:
                raise ValueError(f"key id {previous_id!r} is used by two keys")
            public_key = serialization.load_pem_public_key(pem.encode())
            published.append(
                public_jwk(pem, algorithm=algorithm_for(public_key, algorithms), key_id=previous_id)
            )
        return cls(
            algorithm=algorithm,
            signing_key=private_key_pem,
            key_id=current["kid"],
            public_keys=tuple(published),
        )

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [dict(key) for key in self.public_keys]}

    def verifier(self, settings: CommonSettings) -> TokenVerifier:
        """How auth checks the tokens it issued: with its own keys, never over the network."""
        if not self.public_keys:
            return TokenVerifier.from_settings(settings)
        return TokenVerifier(
            algorithms=settings.jwt_algorithms,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            jwks=StaticKeySet(self.public_keys),
        )


def algorithm_for(key: Any, algorithms: list[str]) -> str:
    """The algorithm of `algorithms` this key signs with: RS* for RSA, ES<size> for EC."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        candidates = [algorithm for algorithm in algorithms if algorithm.startswith("RS")]
        needed = "an RS* algorithm"
    elif isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        curve_algorithm = _EC_CURVE_ALGORITHMS.get(key.curve.name)
        candidates = [algorithm for algorithm in algorithms if algorithm == curve_algorithm]
        needed = curve_algorithm or "a supported curve (P-256, P-384, P-521)"
    else:
        raise ValueError("keys must be RSA or EC keys")
    if not candidates:
        raise ValueError(f"the key needs {needed} in JWT_ALGORITHMS")
    return candidates[0]


def public_jwk(pem: str, *, algorithm: str, key_id: str | None = None) -> dict[str, Any]:
    """The public half of a PEM key (private or public) as a JWK with `kid`, `alg`, `use`.

    Without `key_id`, the key's RFC 7638 thumbprint names it: every replica of auth derives
    the same id from the same key.
    """
    public: dict[str, Any] = jwk.construct(pem, algorithm).public_key().to_dict()
    public = {name: value for name, value in public.items() if name != "alg"}
    return {**public, "kid": key_id or thumbprint(public), "alg": algorithm, "use": "sig"}


def thumbprint(public: Mapping[str, Any]) -> str:
    members = _THUMBPRINT_MEMBERS[public["kty"]]
    canonical = json.dumps({name: public[name] for name in members}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
