import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient

from tests.fixtures import API_PREFIX, bearer, claims_for, make_client, make_settings, sign
from todo_common.problem import PROBLEM_MEDIA_TYPE
from todo_common.security.dependencies import (
    AdminUser,
    CurrentUser,
    Principal,
    ServiceCaller,
    require_role,
)
from todo_common.testing.harness import TokenFactory, mint_service_token

router = APIRouter()


@router.get("/me")
def read_me(user: CurrentUser) -> dict[str, str | bool | None]:
    return {
        "user_id": str(user.user_id),
        "role": user.role,
        "email": user.email,
        "is_admin": user.is_admin,
    }


@router.get("/admin/report")
def read_report(admin: AdminUser) -> dict[str, str]:
    return {"by": str(admin.user_id)}


@router.get("/moderation")
def read_moderation_queue(
    user: Annotated[Principal, Depends(require_role("admin", "moderator"))],
) -> dict[str, str]:
    return {"role": user.role}


@router.get("/internal-probe")
def read_internal_probe(caller: ServiceCaller) -> dict[str, str]:
    return {"service": caller.name}


# The app under test is the `widgets` service: service tokens must be addressed to it.
OWN_NAME = "widgets"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_client(router, settings=make_settings(service_name=OWN_NAME)) as test_client:
        yield test_client


class TestCurrentUser:
    def test_verified_token_names_the_caller(
        self, client: TestClient, make_token: TokenFactory
    ) -> None:
        user_id = uuid.uuid4()

        response = client.get(
            f"{API_PREFIX}/me", headers=bearer(make_token(user_id, email="a@example.com"))
        )

        assert response.status_code == 200
        assert response.json() == {
            "user_id": str(user_id),
            "role": "user",
            "email": "a@example.com",
            "is_admin": False,
        }

    def test_missing_token_is_401_with_the_bearer_challenge(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/me")

        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["detail"] == "Missing bearer token"

    @pytest.mark.parametrize(
        "authorization", ["Basic dXNlcjpwYXNz", "Bearer", "bearer-without-space", "Token abc"]
    )
    def test_other_schemes_are_401(self, client: TestClient, authorization: str) -> None:
        response = client.get(f"{API_PREFIX}/me", headers={"Authorization": authorization})

        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    def test_invalid_token_is_401(self, client: TestClient, make_token: TokenFactory) -> None:
        token = make_token(secret="a-different-secret-that-is-long-enough")

        response = client.get(f"{API_PREFIX}/me", headers=bearer(token))

        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["detail"].startswith("Invalid token")

    def test_service_token_is_not_a_user(
        self, client: TestClient, make_token: TokenFactory
    ) -> None:
        response = client.get(f"{API_PREFIX}/me", headers=bearer(make_token(role="service")))

        assert response.status_code == 401
        assert response.json()["detail"] == "Token is not a user token"

    def test_token_without_role_is_not_a_user(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/me", headers=bearer(sign(claims_for(role=None))))

        assert response.status_code == 401

    def test_subject_must_be_a_user_id(self, client: TestClient) -> None:
        token = sign(claims_for(sub="not-a-uuid"))

        response = client.get(f"{API_PREFIX}/me", headers=bearer(token))

        assert response.status_code == 401
        assert response.json()["detail"] == "Token subject is not a user id"

    def test_email_that_is_not_text_is_ignored(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/me", headers=bearer(sign(claims_for(email=42))))

        assert response.status_code == 200
        assert response.json()["email"] is None


class TestRequireRole:
    def test_user_is_403(self, client: TestClient, make_token: TokenFactory) -> None:
        response = client.get(f"{API_PREFIX}/admin/report", headers=bearer(make_token()))

        assert response.status_code == 403
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert response.json()["detail"] == "This operation requires the admin role"

    def test_admin_is_let_through(self, client: TestClient, make_token: TokenFactory) -> None:
        admin_id = uuid.uuid4()

        response = client.get(
            f"{API_PREFIX}/admin/report", headers=bearer(make_token(admin_id, role="admin"))
        )

        assert response.status_code == 200
        assert response.json() == {"by": str(admin_id)}

    def test_anonymous_is_401_not_403(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/admin/report")

        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    def test_any_of_several_roles_is_enough(
        self, client: TestClient, make_token: TokenFactory
    ) -> None:
        admin = client.get(f"{API_PREFIX}/moderation", headers=bearer(make_token(role="admin")))
        user = client.get(f"{API_PREFIX}/moderation", headers=bearer(make_token()))

        assert admin.status_code == 200
        assert user.status_code == 403
        assert user.json()["detail"] == "This operation requires the admin or moderator role"


class TestOpenApi:
    def test_documents_the_bearer_scheme(self, client: TestClient) -> None:
        document = client.get(f"{API_PREFIX}/openapi.json").json()

        [scheme] = document["components"]["securitySchemes"].values()
        assert scheme["type"] == "oauth2"
        assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/login"


class TestServiceCaller:
    def probe(self, client: TestClient, token: str | None) -> httpx.Response:
        headers = bearer(token) if token is not None else {}
        return client.get(f"{API_PREFIX}/internal-probe", headers=headers)

    def test_service_token_for_this_service_names_the_caller(self, client: TestClient) -> None:
        response = self.probe(client, mint_service_token("users", OWN_NAME))

        assert response.status_code == 200
        assert response.json() == {"service": "users"}

    def test_missing_token_is_401(self, client: TestClient) -> None:
        response = self.probe(client, None)

        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    @pytest.mark.parametrize(
        "token",
        [
            mint_service_token("users", "todos"),
            mint_service_token("users", OWN_NAME, lifetime=timedelta(seconds=-60)),
            mint_service_token("users", OWN_NAME, signing_key="k" * 40),
            mint_service_token("users", OWN_NAME, subject="users"),
            "not-a-jwt",
        ],
        ids=["another-audience", "expired", "forged", "subject-not-a-service", "garbage"],
    )
    def test_invalid_service_token_is_401(self, client: TestClient, token: str) -> None:
        response = self.probe(client, token)

        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE

    @pytest.mark.parametrize("role", ["user", "admin"])
    def test_user_token_is_403(
        self, client: TestClient, make_token: TokenFactory, role: str
    ) -> None:
        response = self.probe(client, make_token(role=role))

        assert response.status_code == 403
        assert response.json()["detail"] == "Internal routes accept only service tokens"

    def test_user_role_addressed_to_this_service_is_403(self, client: TestClient) -> None:
        token = mint_service_token("users", OWN_NAME, role="user")

        assert self.probe(client, token).status_code == 403
