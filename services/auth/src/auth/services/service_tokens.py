"""Service tokens for calls between services (OAuth2 client credentials)."""

import hmac
from collections.abc import Collection, Mapping

from pydantic import SecretStr

from auth.schemas.service_token import ServiceToken, ServiceTokenRequest
from auth.services.errors import InvalidClient
from auth.services.tokens import TokenIssuer
from todo_common.errors import UnprocessableContent


def issue_service_token(
    request: ServiceTokenRequest,
    *,
    client_secrets: Mapping[str, SecretStr],
    audiences: Collection[str],
    issuer: TokenIssuer,
) -> ServiceToken:
    """A short-lived token for `request.client_id` to call `request.audience`."""
    expected = client_secrets.get(request.client_id)
    # Compared in constant time, and against a stand-in for unknown clients, so the answer
    # time says nothing about which client ids exist.
    secret = expected.get_secret_value() if expected is not None else "\x00unknown client"
    secret_matches = hmac.compare_digest(
        secret.encode("utf-8", "surrogatepass"),
        request.client_secret.encode("utf-8", "surrogatepass"),
    )
    if expected is None or not secret_matches:
        raise InvalidClient()
    if request.audience not in audiences:
        raise UnprocessableContent.for_field(
            ["body", "audience"], "is not a service that accepts service tokens", "audience"
        )
    return ServiceToken(
        access_token=issuer.service_token(client_id=request.client_id, audience=request.audience),
        expires_in=int(issuer.service_lifetime.total_seconds()),
    )
