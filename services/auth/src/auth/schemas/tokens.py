"""Tokens as a client receives and returns them."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Refresh tokens are 43 characters of base64url; anything much longer is not one of ours.
RefreshTokenValue = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: Annotated[int, Field(description="Seconds until the access token expires.")]
    refresh_token: Annotated[
        str | None,
        Field(description="Absent when the refresh token is sent as a cookie instead."),
    ] = None


class RefreshTokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: RefreshTokenValue


class JsonWebKeySet(BaseModel):
    keys: list[dict[str, Any]]
