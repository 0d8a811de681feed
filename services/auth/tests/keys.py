"""Key pairs as an operator would make them for an RS256 or ES256 deployment."""

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def rsa_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _private_pem(key)


def ec_private_pem() -> str:
    return _private_pem(ec.generate_private_key(ec.SECP256R1()))


def public_pem(private_pem: str) -> str:
    private_key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _private_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def rs256(private_pem: str, **overrides: Any) -> dict[str, Any]:
    """The settings overrides of an RS256 deployment signing with `private_pem`."""
    return {
        "jwt_algorithms": ["RS256"],
        "jwt_secret": None,
        "jwt_private_key": private_pem,
        **overrides,
    }
