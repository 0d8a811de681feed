"""HTTP routes of sessions under `/api/v1/auth`: log in, refresh, log out.

The refresh token travels in the body, or (browsers, opted in at login) in an HttpOnly
cookie: see auth.api.refresh_cookie.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from auth.api import refresh_cookie
from auth.api.dependencies import (
    EngineDep,
    HashingTurn,
    LockoutPolicyDep,
    LoginForm,
    PasswordsDep,
    TokenIssuerDep,
)
from auth.api.refresh_cookie import RefreshCookie, TransportHeader
from auth.schemas.tokens import RefreshTokenBody, TokenPair
from auth.services import sessions
from auth.services.errors import InvalidRefreshToken, MissingRefreshToken
from auth.services.tokens import TokenIssuer
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
    response_model_exclude_none=True,
    openapi_extra={
        "requestBody": {
            "content": {"application/x-www-form-urlencoded": {"example": _LOGIN_EXAMPLE}}
        }
    },
)
def login(
    form: Annotated[LoginForm, Depends()],
    request: Request,
    response: Response,
    engine: EngineDep,
    passwords: PasswordsDep,
    policy: LockoutPolicyDep,
    issuer: TokenIssuerDep,
    _turn: HashingTurn,
    transport: TransportHeader = None,
) -> TokenPair:
    """Exchange email (as `username`) and password for an access and a refresh token.

    With `X-Refresh-Token-Transport: cookie` the refresh token comes as an HttpOnly cookie
    (Path=/api/v1/auth, SameSite=Strict) and not in the body.
    """
    pair = sessions.log_in(
        engine,
        username=form.username,
        password=form.password,
        passwords=passwords,
        policy=policy,
        issuer=issuer,
    )
    if transport == "cookie":
        return _in_cookie(pair, request, response, issuer)
    return pair


@router.post(
    "/refresh",
    responses=_TOKEN_PAIR | problem_responses(401, 422),
    response_model_exclude_none=True,
)
def refresh(
    request: Request,
    response: Response,
    engine: EngineDep,
    issuer: TokenIssuerDep,
    cookie: RefreshCookie = None,
    body: RefreshTokenBody | None = None,
) -> TokenPair:
    """Spend a refresh token for a new pair; a token presented twice revokes its family.

    The token comes from the body or, when there is no body, from the cookie; a token from
    the cookie is answered in a new cookie.
    """
    if body is not None:
        return sessions.refresh(engine, refresh_token=body.refresh_token, issuer=issuer)
    try:
        pair = sessions.refresh(engine, refresh_token=_cookie_token(cookie), issuer=issuer)
    except InvalidRefreshToken as error:
        # A dead cookie is removed, so the browser stops sending it.
        error.headers["Set-Cookie"] = refresh_cookie.clearing_header(request)
        raise
    return _in_cookie(pair, request, response, issuer)


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 422)
)
def logout(
    request: Request,
    response: Response,
    session: SessionDep,
    cookie: RefreshCookie = None,
    body: RefreshTokenBody | None = None,
) -> None:
    """Revoke the refresh token's family, ending that session (and clear its cookie)."""
    if body is not None:
        sessions.log_out(session, refresh_token=body.refresh_token)
        return
    try:
        sessions.log_out(session, refresh_token=_cookie_token(cookie))
    except InvalidRefreshToken as error:
        error.headers["Set-Cookie"] = refresh_cookie.clearing_header(request)
        raise
    refresh_cookie.clear_cookie(request, response)


def _cookie_token(cookie: str | None) -> str:
    if not cookie:
        raise MissingRefreshToken()
    return cookie


def _in_cookie(
    pair: TokenPair, request: Request, response: Response, issuer: TokenIssuer
) -> TokenPair:
    return refresh_cookie.deliver_in_cookie(
        pair,
        request=request,
        response=response,
        lifetime_seconds=int(issuer.refresh_lifetime.total_seconds()),
    )
