"""HTTP routes of sessions under `/api/v1/auth`: log in, refresh, log out."""

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from auth.api.dependencies import (
    EngineDep,
    HashingTurn,
    LockoutPolicyDep,
    PasswordsDep,
    TokenIssuerDep,
)
from auth.schemas.tokens import RefreshTokenBody, TokenPair
from auth.services import sessions
from todo_common.database import SessionDep
from todo_common.problem import problem_responses

router = APIRouter(tags=["sessions"])


@router.post("/login", responses=problem_responses(401, 422, 429))
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
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


@router.post("/refresh", responses=problem_responses(401, 422))
def refresh(body: RefreshTokenBody, engine: EngineDep, issuer: TokenIssuerDep) -> TokenPair:
    """Spend a refresh token for a new pair; a token presented twice revokes its family."""
    return sessions.refresh(engine, refresh_token=body.refresh_token, issuer=issuer)


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 422)
)
def logout(body: RefreshTokenBody, session: SessionDep) -> None:
    """Revoke the refresh token's family, ending that session."""
    sessions.log_out(session, refresh_token=body.refresh_token)
