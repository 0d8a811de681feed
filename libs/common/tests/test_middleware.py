import re
from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from tests.fixtures import (
    API_PREFIX,
    CapturedLogs,
    bearer,
    capture_logs,
    make_client,
    make_settings,
)
from todo_common.security.dependencies import CurrentUser
from todo_common.testing.harness import TokenFactory

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")

router = APIRouter()


@router.get("/things")
def list_things(q: str | None = None) -> dict[str, str | None]:
    return {"q": q}


@router.get("/things/{thing_id}")
def get_thing(thing_id: str) -> dict[str, str]:
    return {"id": thing_id}


@router.get("/me")
def read_me(user: CurrentUser) -> dict[str, str]:
    return {"id": str(user.user_id)}


@router.get("/crash")
def crash() -> None:
    raise RuntimeError("boom")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with make_client(router) as test_client:
        yield test_client


@pytest.fixture
def logged_client() -> Iterator[TestClient]:
    with make_client(router, settings=make_settings(log_level="INFO")) as test_client:
        yield test_client


@pytest.fixture
def logs(logged_client: TestClient) -> CapturedLogs:
    """What `logged_client`'s app logs at INFO."""
    return capture_logs()


class TestRequestId:
    @pytest.mark.parametrize(
        "request_id", ["abc-123", "0f8c7e2a-47d6-4bb0-9a3e-3d2c9e1b6f00", "trace.1:span_2"]
    )
    def test_sane_client_id_is_echoed(self, client: TestClient, request_id: str) -> None:
        response = client.get(f"{API_PREFIX}/things", headers={"X-Request-ID": request_id})

        assert response.headers["x-request-id"] == request_id

    def test_absent_id_is_generated(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/things")

        assert GENERATED_ID.match(response.headers["x-request-id"])

    @pytest.mark.parametrize(
        "request_id",
        [
            b"has spaces",
            b"<script>alert(1)</script>",
            b"x" * 129,
            b"semi;colon",
            "ünïcode".encode(),
        ],
        ids=["spaces", "markup", "too-long", "semicolon", "non-ascii"],
    )
    def test_insane_client_id_is_replaced(self, client: TestClient, request_id: bytes) -> None:
        response = client.get(f"{API_PREFIX}/things", headers={b"X-Request-ID": request_id})

        assert GENERATED_ID.match(response.headers["x-request-id"])

    def test_each_request_gets_its_own_id(self, client: TestClient) -> None:
        first = client.get(f"{API_PREFIX}/things").headers["x-request-id"]
        second = client.get(f"{API_PREFIX}/things").headers["x-request-id"]

        assert first != second

    def test_error_answers_carry_exactly_one_id_matching_the_body(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/missing", headers={"X-Request-ID": "err-1"})

        assert response.status_code == 404
        assert response.headers.get_list("x-request-id") == ["err-1"]
        assert response.json()["request_id"] == "err-1"

    def test_unexpected_error_answer_carries_the_id(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/crash", headers={"X-Request-ID": "boom-1"})

        assert response.status_code == 500
        assert response.headers.get_list("x-request-id") == ["boom-1"]
        assert response.json()["request_id"] == "boom-1"


class TestVaryOrigin:
    @pytest.mark.parametrize("path", [f"{API_PREFIX}/things", f"{API_PREFIX}/missing", "/crash"])
    def test_every_answer_varies_on_origin(self, client: TestClient, path: str) -> None:
        # The gateway's CORS headers depend on Origin: a shared cache must key on it.
        response = client.get(path, headers={"Origin": "http://localhost:3000"})

        assert response.headers.get_list("vary") == ["Origin"]


class TestTrailingSlash:
    def test_is_stripped_without_a_redirect(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/things/", follow_redirects=False)

        assert response.status_code == 200
        assert response.json() == {"q": None}

    def test_query_string_survives(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/things/?q=milk", follow_redirects=False)

        assert response.json() == {"q": "milk"}

    def test_several_slashes_are_stripped(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/things/42///", follow_redirects=False)

        assert response.json() == {"id": "42"}

    def test_escaped_characters_survive(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/things/caf%C3%A9%20au%20lait/", follow_redirects=False)

        assert response.json() == {"id": "café au lait"}

    @pytest.mark.parametrize("encoded", ["%2F", "%2f", "%3B", "%25", "%3F", "%23", "%40"])
    def test_an_encoded_reserved_character_is_404_not_decoded_into_a_route(
        self, client: TestClient, encoded: str
    ) -> None:
        # `/things%2F42` would decode to `/things/42`: a spelling no gateway router matched.
        response = client.get(f"{API_PREFIX}/things{encoded}42", follow_redirects=False)

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["instance"] == f"{API_PREFIX}/things{encoded}42"
        assert "percent-encoded" in body["detail"]

    def test_root_is_left_alone(self, client: TestClient) -> None:
        response = client.get("/", follow_redirects=False)

        assert response.status_code == 404
        assert response.json()["instance"] == "/"

    def test_problem_instance_has_no_trailing_slash(self, client: TestClient) -> None:
        response = client.get(f"{API_PREFIX}/missing/", follow_redirects=False)

        assert response.status_code == 404
        assert response.json()["instance"] == f"{API_PREFIX}/missing"


class TestAccessLog:
    def test_one_json_line_per_request(self, logged_client: TestClient, logs: CapturedLogs) -> None:
        logged_client.get(f"{API_PREFIX}/things/", headers={"X-Request-ID": "req-1"})

        [line] = logs.lines("todo.access")
        assert line["method"] == "GET"
        assert line["path"] == f"{API_PREFIX}/things"
        assert line["status"] == 200
        assert isinstance(line["duration_ms"], float)
        assert line["duration_ms"] >= 0
        assert line["request_id"] == "req-1"
        assert line["level"] == "INFO"
        assert line["service"] == "widgets"
        assert "user_id" not in line

    def test_names_the_authenticated_user(
        self,
        logged_client: TestClient,
        logs: CapturedLogs,
        make_token: TokenFactory,
    ) -> None:
        token = make_token("3f2b8c1e-9a4d-4c6e-8f10-2b3c4d5e6f70")

        response = logged_client.get(f"{API_PREFIX}/me", headers=bearer(token))

        assert response.status_code == 200
        [line] = logs.lines("todo.access")
        assert line["user_id"] == "3f2b8c1e-9a4d-4c6e-8f10-2b3c4d5e6f70"

    def test_records_error_statuses(self, logged_client: TestClient, logs: CapturedLogs) -> None:
        logged_client.get(f"{API_PREFIX}/me")
        logged_client.get(f"{API_PREFIX}/crash")

        assert [line["status"] for line in logs.lines("todo.access")] == [401, 500]

    def test_never_logs_query_strings_or_credentials(
        self,
        logged_client: TestClient,
        logs: CapturedLogs,
        make_token: TokenFactory,
    ) -> None:
        token = make_token()

        logged_client.get(f"{API_PREFIX}/me?access_token=query-secret-value", headers=bearer(token))
        logged_client.get(f"{API_PREFIX}/crash?password=query-secret-value", headers=bearer(token))

        output = logs.text
        assert len(logs.lines("todo.access")) == 2
        assert "query-secret-value" not in output
        assert token not in output
        assert token.split(".")[2] not in output
        assert "Bearer" not in output
