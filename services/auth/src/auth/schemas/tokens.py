"""Tokens as a client receives and returns them."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Refresh tokens are 43 characters of base64url; anything much longer is not one of ours.
RefreshTokenValue = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class TokenPair(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2ln",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": "q8Jc3n0y6Rk2m1ZtWb7VdXsA4pLhE9uF5oGiN0rT2yQ",
                }
            ]
        }
    )

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: Annotated[int, Field(description="Seconds until the access token expires.")]
    refresh_token: Annotated[
        str | None,
        Field(description="Absent when the refresh token is sent as a cookie instead."),
    ] = None


class RefreshTokenBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"refresh_token": "q8Jc3n0y6Rk2m1ZtWb7VdXsA4pLhE9uF5oGiN0rT2yQ"}]
        },
    )

    refresh_token: RefreshTokenValue


class JsonWebKeySet(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "keys": [
                        {
                            "kty": "RSA",
                            "kid": "2030-01",
                            "use": "sig",
                            "alg": "RS256",
                            "n": "sXch...",
                            "e": "AQAB",
                        }
                    ]
                }
            ]
        }
    )

    keys: list[dict[str, Any]]
