"""Taking tokens apart and forging them by hand, for tests of what verifiers refuse."""

import base64
import hashlib
import hmac
import json
from typing import Any


def decoded_segment(token: str, index: int) -> dict[str, Any]:
    """The header (0) or the claims (1) of a token, unverified."""
    segment = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return decoded


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def hand_signed(header: dict[str, Any], claims: dict[str, Any], hmac_key: bytes | None) -> str:
    """A token built byte by byte, for what JWT libraries refuse to make (`none`, confusion)."""
    signing_input = (
        f"{_segment(json.dumps(header).encode())}.{_segment(json.dumps(claims).encode())}"
    )
    signature = (
        hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest() if hmac_key else b""
    )
    return f"{signing_input}.{_segment(signature)}"


def with_claims(token: str, **changes: Any) -> str:
    """The same header and signature over changed claims: a tampered token."""
    header, _, signature = token.split(".")
    claims = {**decoded_segment(token, 1), **changes}
    return f"{header}.{_segment(json.dumps(claims).encode())}.{signature}"
