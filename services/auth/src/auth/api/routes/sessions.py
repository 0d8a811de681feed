"""HTTP routes of sessions under `/api/v1/auth`: log in, refresh, log out."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from auth.api.dependencies import (
    EngineDep,
    HashingTurn,
    LockoutPolicyDep,
    LoginForm,
    PasswordsDep,
    TokenIssuerDep,
)
from auth.schemas.tokens import RefreshTokenBody, TokenPair
from auth.services import sessions
from todo_common.database import SessionDep
from todo_common.problem import problem_responses

router = APIRouter(tags=["sessions"])

# OpenAPI links: a pair's refresh token is what refresh and logout take.
_TOKEN_PAIR: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A new access and refresh token",
        "links": {
            name: {
                "operationId": operation_id,
                "requestBody": {"refresh_token": "$response.body#/refresh_token"},
            }
            for name, operation_id in (("Refresh", "refresh"), ("LogOut", "logout"))
        },
    }
}
_LOGIN_EXAMPLE = {"username": "ada@example.com", "password": "correct horse battery"}


@router.post(
    "/login",
    # 429: the gateway's login/register budget, or this account's lockout after failures.
    responses=_TOKEN_PAIR | problem_responses(401, 422, 429),
    openapi_extra={
        "requestBody": {
            "content": {"application/x-www-form-urlencoded": {"example": _LOGIN_EXAMPLE}}
        }
    },
)
def login(
    form: Annotated[LoginForm, Depends()],
    engine: EngineDep,
    passwords: PasswordsDep,
    policy: LockoutPolicyDep,
    issuer: TokenIssuerDep,
    _turn: HashingTurn,
) -> TokenPair:
    """Exchange email (as `username`) and password for an access and a refresh token."""
    return sessions.log_in(
        engine,
        username=form.username,
        password=form.password,
        passwords=passwords,
        policy=policy,
        issuer=issuer,
    )


@router.post("/refresh", responses=_TOKEN_PAIR | problem_responses(401, 422))
def refresh(body: RefreshTokenBody, engine: EngineDep, issuer: TokenIssuerDep) -> TokenPair:
    """Spend a refresh token for a new pair; a token presented twice revokes its family."""
    return sessions.refresh(engine, refresh_token=body.refresh_token, issuer=issuer)


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 422)
)
def logout(body: RefreshTokenBody, session: SessionDep) -> None:
    """Revoke the refresh token's family, ending that session."""
    sessions.log_out(session, refresh_token=body.refresh_token)
