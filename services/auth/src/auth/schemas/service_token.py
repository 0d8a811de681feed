"""The OAuth2 client-credentials exchange of `/internal/service-tokens`."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ClientText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ServiceTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: ClientText
    client_secret: ClientText
    audience: Annotated[
        str,
        StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,49}$"),
        Field(description="The service the token is for (it becomes the `aud` claim)."),
    ]
    # OAuth2 clients send it; it can only be this grant.
    grant_type: Literal["client_credentials"] = "client_credentials"


class ServiceToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
