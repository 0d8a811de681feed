"""FastAPI dependencies: who is calling, and are they allowed."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from todo_common.errors import Forbidden, Unauthorized
from todo_common.security.service_tokens import SERVICE_ROLE, SERVICE_SUBJECT_PREFIX
from todo_common.security.verification import TokenVerifier

USER_ROLES = frozenset({"user", "admin"})

# The password flow points Swagger's Authorize button at auth's login, in every service.
bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller of a request."""

    user_id: uuid.UUID
    role: str
    email: str | None
    claims: dict[str, Any]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


async def get_current_user(
    request: Request, token: Annotated[str | None, Depends(bearer_scheme)]
) -> Principal:
    if not token:
        raise Unauthorized("Missing bearer token")
    verifier: TokenVerifier = request.app.state.token_verifier
    claims = await verifier.verify(token)
    role = claims.get("role")
    if role not in USER_ROLES:
        raise Unauthorized("Token is not a user token")
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError:
        raise Unauthorized("Token subject is not a user id") from None
    # Read by the access log middleware, so every log line names the caller.
    request.state.user_id = user_id
    email = claims.get("email")
    return Principal(
        user_id=user_id, role=role, email=email if isinstance(email, str) else None, claims=claims
    )


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require_role(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only callers with one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)

    async def check_role(principal: CurrentUser) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"This operation requires the {' or '.join(sorted(allowed))} role")
        return principal

    return check_role


AdminUser = Annotated[Principal, Depends(require_role("admin"))]


@dataclass(frozen=True, slots=True)
class ServicePrincipal:
    """Another service calling an `/internal` route with a service token."""

    name: str
    claims: dict[str, Any]


async def require_service_token(
    request: Request, token: Annotated[str | None, Depends(bearer_scheme)]
) -> ServicePrincipal:
    """The calling service: a `service` token for this service's audience, `sub` service:<name>.

    Missing or invalid tokens are 401; a valid token of another kind (a user's) is 403.
    """
    if not token:
        raise Unauthorized("Missing bearer token")
    verifier: TokenVerifier = request.app.state.token_verifier
    own_name: str = request.app.state.settings.service_name
    try:
        claims = await verifier.verify(token, audience=own_name)
    except Unauthorized:
        # A token that is valid for the platform (a user's access token) comes from a
        # caller we know who may not call here; anything else stays a 401.
        await verifier.verify(token)
        raise Forbidden("Internal routes accept only service tokens") from None
    subject = str(claims["sub"])
    if claims.get("role") != SERVICE_ROLE:
        raise Forbidden("Internal routes accept only service tokens")
    if not subject.startswith(SERVICE_SUBJECT_PREFIX):
        raise Unauthorized("Token subject is not a service")
    return ServicePrincipal(name=subject.removeprefix(SERVICE_SUBJECT_PREFIX), claims=claims)


ServiceCaller = Annotated[ServicePrincipal, Depends(require_service_token)]
