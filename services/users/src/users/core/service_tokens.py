"""Service tokens for the relay's calls to subscribers (audience = the subscriber).

A stand-in until auth's `todo_common.security.service_tokens` is merged: it mints HS256
tokens with the shared `JWT_SECRET`, as that module's `LocalServiceTokenMinter` does in
local runs. With RS256 only auth holds the signing key, and the relay must ask auth
(`ServiceTokenClient`); then this module goes and `main.py` uses those instead.
"""

from datetime import timedelta

from todo_common.events.relay import TokenProvider
from todo_common.security.dependencies import SERVICE_ROLE, SERVICE_SUBJECT_PREFIX
from todo_common.security.tokens import mint_token
from todo_common.settings import CommonSettings

SERVICE_TOKEN_LIFETIME = timedelta(minutes=5)


def service_token_provider(settings: CommonSettings) -> TokenProvider:
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
    algorithm = settings.jwt_algorithms[0]

    async def mint_service_token(audience: str) -> str:
        if secret is None:
            # A failed delivery records this error and retries; the API keeps serving.
            raise RuntimeError("service tokens need JWT_SECRET (HS*) until auth mints them")
        return mint_token(
            subject=f"{SERVICE_SUBJECT_PREFIX}{settings.service_name}",
            role=SERVICE_ROLE,
            issuer=settings.jwt_issuer,
            audience=audience,
            signing_key=secret,
            algorithm=algorithm,
            lifetime=SERVICE_TOKEN_LIFETIME,
        )

    return mint_service_token
