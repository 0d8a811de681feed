"""Dependencies of the auth routes: what build_app put on app.state, and odd bodies."""

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import Engine

from auth.schemas.service_token import ServiceTokenRequest
from auth.services.errors import UnsupportedMediaType
from auth.services.lockout import LockoutPolicy
from auth.services.passwords import Passwords
from auth.services.tokens import TokenIssuer


def _app_state(name: str) -> Callable[[Request], Any]:
    """A dependency answering what build_app put on `app.state` under `name`."""

    def read(request: Request) -> Any:
        return getattr(request.app.state, name)

    return read


# For the service functions that commit their own transactions (see services.sessions).
EngineDep = Annotated[Engine, Depends(_app_state("engine"))]
PasswordsDep = Annotated[Passwords, Depends(_app_state("passwords"))]
TokenIssuerDep = Annotated[TokenIssuer, Depends(_app_state("token_issuer"))]
LockoutPolicyDep = Annotated[LockoutPolicy, Depends(_app_state("lockout_policy"))]

JSON_MEDIA_TYPE = "application/json"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


async def read_service_token_request(request: Request) -> ServiceTokenRequest:
    """The body as OAuth2 clients send it (a form) or as JSON; other media types get 415."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw: Any
    if media_type == FORM_MEDIA_TYPE:
        raw = dict(await request.form())
    elif media_type == JSON_MEDIA_TYPE:
        try:
            raw = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error"}]
            ) from None
    else:
        raise UnsupportedMediaType()
    try:
        return ServiceTokenRequest.model_validate(raw)
    except ValidationError as error:
        # The same 422 as any other body: locations start with "body", input never echoed.
        raise RequestValidationError(
            [
                {"type": item["type"], "loc": ("body", *item["loc"]), "msg": item["msg"]}
                for item in error.errors(include_input=False, include_url=False)
            ]
        ) from None


ServiceTokenRequestDep = Annotated[ServiceTokenRequest, Depends(read_service_token_request)]
