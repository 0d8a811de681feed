"""Refresh tokens for browsers: an HttpOnly cookie instead of a field JavaScript can read.

A browser app opts in on `/login` with `X-Refresh-Token-Transport: cookie`; from then on it
calls `/refresh` and `/logout` with no body and the browser sends the cookie. Clients that
send the token in the body never get a cookie and see no change. Why the cookie is safe from
cross-site requests here: docs/browser-sessions.md.
"""

from typing import Annotated, Literal

from fastapi import Cookie, Header, Request, Response

from auth.schemas.tokens import TokenPair

COOKIE_NAME = "refresh_token"
# Sent only to auth's own endpoints, never to users or todos.
COOKIE_PATH = "/api/v1/auth"
TRANSPORT_HEADER = "X-Refresh-Token-Transport"

RefreshCookie = Annotated[
    str | None,
    Cookie(
        alias=COOKIE_NAME,
        description="The refresh token, set by `/login` with "
        f"`{TRANSPORT_HEADER}: cookie`; used when the body has none.",
    ),
]
TransportHeader = Annotated[
    Literal["cookie", "body"] | None,
    Header(
        alias=TRANSPORT_HEADER,
        description="`cookie`: answer the refresh token as an HttpOnly cookie, not in the "
        "body (for browser apps). Default `body`.",
    ),
]


def _is_https(request: Request) -> bool:
    # The gateway terminates TLS and says so in X-Forwarded-Proto; the services are reached
    # only through it. Honouring the header can only add Secure, never take it from a
    # browser on HTTPS (its own request carries the gateway's value).
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def deliver_in_cookie(
    pair: TokenPair, *, request: Request, response: Response, lifetime_seconds: int
) -> TokenPair:
    """Put the pair's refresh token into the cookie and take it out of the body."""
    response.set_cookie(
        COOKIE_NAME,
        pair.refresh_token or "",
        max_age=lifetime_seconds,
        path=COOKIE_PATH,
        secure=_is_https(request),
        httponly=True,
        samesite="strict",
    )
    return pair.model_copy(update={"refresh_token": None})


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE_NAME, path=COOKIE_PATH, secure=_is_https(request), httponly=True, samesite="strict"
    )


def clearing_header(request: Request) -> str:
    """The Set-Cookie value that removes the cookie, for error answers built elsewhere."""
    scratch = Response()
    clear_cookie(request, scratch)
    return scratch.headers["set-cookie"]
