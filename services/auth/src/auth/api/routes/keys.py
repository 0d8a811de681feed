"""The public signing keys, at `/api/v1/auth/.well-known/jwks.json`."""

from fastapi import APIRouter

from auth.api.dependencies import TokenIssuerDep
from auth.schemas.tokens import JsonWebKeySet

router = APIRouter(tags=["keys"])


@router.get("/.well-known/jwks.json")
async def get_jwks(issuer: TokenIssuerDep) -> JsonWebKeySet:
    """The public keys that verify auth's tokens, by `kid` (none with HS256)."""
    return JsonWebKeySet(**issuer.keys.jwks())
