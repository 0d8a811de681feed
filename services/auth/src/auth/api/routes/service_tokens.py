"""`POST /internal/service-tokens`: tokens for calls between services.

Under `/internal`, not `/api`, so the gateway never routes it: only services reach it.
"""

from fastapi import APIRouter

from auth.api.dependencies import (
    FORM_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    ServiceTokenRequestDep,
    TokenIssuerDep,
)
from auth.core.config import AuthSettings
from auth.schemas.service_token import ServiceToken, ServiceTokenRequest
from auth.services.service_tokens import issue_service_token
from todo_common.problem import problem_responses
from todo_common.settings import SettingsDep

router = APIRouter(prefix="/internal", tags=["internal"])

_BODY_SCHEMA = ServiceTokenRequest.model_json_schema()


@router.post(
    "/service-tokens",
    responses=problem_responses(401, 415, 422),
    # The body is read by a dependency (it may be a form or JSON), so it is described here.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM_MEDIA_TYPE: {"schema": _BODY_SCHEMA},
                JSON_MEDIA_TYPE: {"schema": _BODY_SCHEMA},
            },
        }
    },
)
def create_service_token(
    body: ServiceTokenRequestDep, settings: SettingsDep[AuthSettings], issuer: TokenIssuerDep
) -> ServiceToken:
    """Exchange a service's client id and secret for a 5-minute token for `audience`."""
    return issue_service_token(
        body,
        client_secrets=settings.service_client_secrets,
        audiences=settings.service_token_audiences,
        issuer=issuer,
    )
