"""The public signing keys, at `/api/v1/auth/.well-known/jwks.json`."""

from fastapi import APIRouter, Request

from auth.core.keys import KeyRing
from auth.schemas.tokens import JsonWebKeySet

router = APIRouter(tags=["keys"])


@router.get("/.well-known/jwks.json")
async def get_jwks(request: Request) -> JsonWebKeySet:
    """The public keys that verify auth's tokens, by `kid` (none with HS256)."""
    keys: KeyRing = request.app.state.token_issuer.keys
    return JsonWebKeySet(**keys.jwks())
