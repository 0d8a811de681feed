"""Minting access and service tokens, and handing out token pairs."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from auth.core.keys import KeyRing
from auth.models import Account
from auth.schemas.tokens import TokenPair
from auth.services import refresh_tokens
from todo_common.security.service_tokens import SERVICE_TOKEN_LIFETIME, mint_service_token
from todo_common.security.tokens import ACCESS_TOKEN_LIFETIME, mint_token


@dataclass(frozen=True)
class TokenIssuer:
    keys: KeyRing
    issuer: str
    audience: str
    refresh_lifetime: timedelta
    access_lifetime: timedelta = ACCESS_TOKEN_LIFETIME
    service_lifetime: timedelta = SERVICE_TOKEN_LIFETIME

    def access_token(self, account: Account) -> str:
        return mint_token(
            subject=str(account.id),
            role=account.role.value,
            email=account.email,
            issuer=self.issuer,
            audience=self.audience,
            signing_key=self.keys.signing_key,
            algorithm=self.keys.algorithm,
            key_id=self.keys.key_id,
            lifetime=self.access_lifetime,
        )

    def service_token(self, *, client_id: str, audience: str) -> str:
        return mint_service_token(
            client_id=client_id,
            audience=audience,
            issuer=self.issuer,
            signing_key=self.keys.signing_key,
            algorithm=self.keys.algorithm,
            key_id=self.keys.key_id,
            lifetime=self.service_lifetime,
        )


def issue_token_pair(
    session: Session, *, account: Account, issuer: TokenIssuer, family_id: uuid.UUID | None = None
) -> TokenPair:
    """An access token and a refresh token; a new refresh family unless `family_id` is given."""
    refresh_token = refresh_tokens.create_refresh_token(
        session,
        account_id=account.id,
        family_id=family_id or uuid.uuid4(),
        lifetime=issuer.refresh_lifetime,
    )
    return TokenPair(
        access_token=issuer.access_token(account),
        expires_in=int(issuer.access_lifetime.total_seconds()),
        refresh_token=refresh_token,
    )
