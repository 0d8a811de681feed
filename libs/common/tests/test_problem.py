from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from tests.fixtures import API_PREFIX, capture_logs, make_client, make_settings
from todo_common.database import SessionDep
from todo_common.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableContent,
)
from todo_common.problem import PROBLEM_MEDIA_TYPE, problem_responses
from todo_common.testing.assertions import assert_problem

PASSWORD = "correct-horse-battery-staple"

DOMAIN_ERRORS: dict[str, DomainError] = {
    "domain": DomainError(),
    "not-found": NotFound("Widget 7 not found"),
    "conflict": Conflict("Widget name taken"),
    "precondition-failed": PreconditionFailed(),
    "unauthorized": Unauthorized("Token expired"),
    "forbidden": Forbidden(),
    "unprocessable": UnprocessableContent.for_field(["body", "name"], "is reserved", "reserved"),
    "too-many-requests": TooManyRequests(retry_after_seconds=30),
    "service-unavailable": ServiceUnavailable(retry_after_seconds=5),
}


class SignUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(pattern=r"^[^@]+@[^@]+$")
    password: Annotated[str, Field(min_length=64)]


router = APIRouter()


@router.get("/domain-errors/{name}")
def raise_domain_error(name: str) -> None:
    raise DOMAIN_ERRORS[name]


@router.get("/http-error")
def raise_http_exception() -> None:
    raise HTTPException(status_code=409, detail="Already archived", headers={"X-Hint": "archive"})


@router.get("/http-error-with-structured-detail")
def raise_http_exception_with_dict() -> None:
    raise HTTPException(status_code=400, detail={"internal": "shape"})


@router.get("/crash")
def crash() -> None:
    raise RuntimeError("secret internals: SELECT password FROM auth.account")


@router.get("/bad-response")
def answer_with_an_invalid_body() -> SignUp:
    return {"email": "not-an-email", "password": PASSWORD}  # type: ignore[return-value]


@router.post("/sign-ups", status_code=201)
def sign_up(data: SignUp) -> dict[str, str]:
    return {"email": data.email}


@router.get("/only-get")
def only_get() -> dict[str, str]:
    return {}


@router.post("/gadgets", status_code=201, responses=problem_responses(409))
def create_gadget(session: SessionDep) -> None:
    session.execute(text("INSERT INTO todos.gadget (name) VALUES ('same')"))


@router.get("/broken-query")
def run_broken_query(session: SessionDep) -> None:
    session.execute(text("SELECT secret_column FROM todos.no_such_table"))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_client(router) as test_client:
        yield test_client


class TestRoutingErrors:
    def test_unknown_route_is_404(self, client: TestClient) -> None:
        body = assert_problem(client.get(f"{API_PREFIX}/nothing-here"), 404)

        assert body["title"] == "Not Found"
        assert f"{API_PREFIX}/nothing-here" in body["detail"]

    def test_wrong_method_is_405_with_allow(self, client: TestClient) -> None:
        response = client.delete(f"{API_PREFIX}/only-get")

        assert_problem(response, 405)
        assert response.headers["allow"] == "GET"


class TestValidationErrors:
    def test_invalid_body_is_422_with_each_error_located(self, client: TestClient) -> None:
        response = client.post(
            f"{API_PREFIX}/sign-ups", json={"email": "nope", "password": "short"}
        )

        body = assert_problem(response, 422)
        assert {tuple(error["loc"]) for error in body["errors"]} == {
            ("body", "email"),
            ("body", "password"),
        }
        for error in body["errors"]:
            assert error.keys() == {"loc", "msg", "type"}
        assert "(and 1 more problem)" in body["detail"]

    def test_rejected_input_is_never_echoed(self, client: TestClient) -> None:
        response = client.post(
            f"{API_PREFIX}/sign-ups", json={"email": "a@example.com", "password": PASSWORD}
        )

        assert_problem(response, 422)
        assert PASSWORD not in response.text

    def test_unknown_field_is_422(self, client: TestClient) -> None:
        response = client.post(
            f"{API_PREFIX}/sign-ups",
            json={"email": "a@example.com", "password": "x" * 64, "role": "admin"},
        )

        body = assert_problem(response, 422)
        assert body["errors"] == [
            {
                "loc": ["body", "role"],
                "msg": "Extra inputs are not permitted",
                "type": "extra_forbidden",
            }
        ]
        assert "admin" not in response.text

    def test_malformed_json_is_422(self, client: TestClient) -> None:
        response = client.post(
            f"{API_PREFIX}/sign-ups",
            content=b'{"password": "' + PASSWORD.encode(),
            headers={"Content-Type": "application/json"},
        )

        body = assert_problem(response, 422)
        assert body["errors"][0]["type"] == "json_invalid"
        assert PASSWORD not in response.text


class TestDomainErrors:
    @pytest.mark.parametrize("name", DOMAIN_ERRORS)
    def test_renders_its_status_and_detail(self, client: TestClient, name: str) -> None:
        error = DOMAIN_ERRORS[name]

        body = assert_problem(client.get(f"{API_PREFIX}/domain-errors/{name}"), error.status_code)

        assert body["detail"] == error.detail

    def test_unauthorized_names_the_bearer_scheme(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/domain-errors/unauthorized")

        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"

    def test_too_many_requests_says_when_to_retry(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/domain-errors/too-many-requests")

        assert_problem(response, 429)
        assert response.headers["retry-after"] == "30"

    def test_service_unavailable_says_when_to_retry(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/domain-errors/service-unavailable")

        assert_problem(response, 503)
        assert response.headers["retry-after"] == "5"

    def test_unprocessable_content_lists_its_errors(self, client: TestClient) -> None:
        body = assert_problem(client.get(f"{API_PREFIX}/domain-errors/unprocessable"), 422)

        assert body["errors"] == [
            {"loc": ["body", "name"], "msg": "is reserved", "type": "reserved"}
        ]
        assert body["detail"] == "body.name: is reserved"

    def test_other_errors_carry_no_errors_list(self, client: TestClient) -> None:
        body = assert_problem(client.get(f"{API_PREFIX}/domain-errors/conflict"), 409)

        assert "errors" not in body


class TestHttpExceptions:
    def test_keeps_status_detail_and_headers(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/http-error")

        body = assert_problem(response, 409)
        assert body["detail"] == "Already archived"
        assert response.headers["x-hint"] == "archive"

    def test_structured_detail_is_replaced_by_the_title(self, client: TestClient) -> None:
        body = assert_problem(client.get(f"{API_PREFIX}/http-error-with-structured-detail"), 400)

        assert body["detail"] == "Bad Request"
        assert "internal" not in str(body)


class TestUnexpectedErrors:
    def test_is_500_without_internals(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/crash")

        body = assert_problem(response, 500)
        assert "secret internals" not in response.text
        assert "SELECT" not in response.text
        assert "Traceback" not in response.text
        assert "RuntimeError" not in response.text
        assert "request id" in body["detail"]

    def test_invalid_response_body_is_500_without_echoing_it(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/bad-response")

        assert_problem(response, 500)
        assert PASSWORD not in response.text
        assert "not-an-email" not in response.text

    def test_is_logged_with_the_request_id_and_traceback(self) -> None:
        with make_client(router, settings=make_settings(log_level="INFO")) as client:
            logs = capture_logs()
            response = client.get(f"{API_PREFIX}/crash", headers={"X-Request-ID": "crash-1"})

        assert response.status_code == 500
        assert response.headers["x-request-id"] == "crash-1"
        [error] = [line for line in logs.lines() if line["level"] == "ERROR"]
        assert error["request_id"] == "crash-1"
        assert error["message"] == "unhandled error"
        assert "RuntimeError: secret internals" in error["exception"]
        [access] = logs.lines("todo.access")
        assert access["status"] == 500
        assert access["request_id"] == "crash-1"


@pytest.fixture(scope="module")
def database_client(service_database_urls: dict[str, str]) -> Iterator[TestClient]:
    """A client of an app on the real database, with a table that has a unique constraint."""
    settings = make_settings(service_database_urls["todos"])
    with make_client(router, settings=settings) as test_client:
        engine = test_client.app.state.engine
        with engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE TABLE todos.gadget (name text NOT NULL,"
                    " CONSTRAINT uq_gadget_name UNIQUE (name))"
                )
            )
        try:
            yield test_client
        finally:
            with engine.begin() as connection:
                connection.execute(text("DROP TABLE todos.gadget"))


class TestDatabaseErrors:
    def test_integrity_error_is_409_naming_the_constraint(
        self, database_client: TestClient
    ) -> None:
        assert database_client.post(f"{API_PREFIX}/gadgets").status_code == 201

        response = database_client.post(f"{API_PREFIX}/gadgets")

        body = assert_problem(response, 409)
        assert "uq_gadget_name" in body["detail"]
        assert "INSERT" not in response.text
        assert "same" not in response.text

    def test_other_database_error_is_500_without_sql(self, database_client: TestClient) -> None:
        response = database_client.get(f"{API_PREFIX}/broken-query")

        assert_problem(response, 500)
        assert "no_such_table" not in response.text
        assert "secret_column" not in response.text


class TestProblemResponses:
    def test_documents_each_status_as_problem_json(self) -> None:
        responses = problem_responses(401, 409)

        assert set(responses) == {401, 409}
        assert responses[409]["content"] == {PROBLEM_MEDIA_TYPE: {}}

    def test_declared_errors_appear_in_openapi(self, client: TestClient) -> None:
        document = client.get(f"{API_PREFIX}/openapi.json").json()

        operation = document["paths"][f"{API_PREFIX}/gadgets"]["post"]
        assert PROBLEM_MEDIA_TYPE in operation["responses"]["409"]["content"]
