"""The todos API as a browser or app meets it: through the gateway, with its headers."""

import gzip
import uuid

import httpx
import pytest

from devstack.gateway import GatewayPorts
from tests.e2e.assertions import SECURITY_HEADERS
from todo_common.testing.assertions import assert_problem


class TestCrud:
    def test_create_read_update_delete_with_etags(
        self, client: httpx.Client, user_headers: dict[str, str]
    ) -> None:
        created = client.post(
            "/api/v1/todos", json={"title": "Buy milk", "priority": "high"}, headers=user_headers
        )
        assert created.status_code == 201
        location = created.headers["location"]
        assert location == f"/api/v1/todos/{created.json()['id']}"

        read = client.get(location, headers=user_headers)
        assert read.status_code == 200
        assert read.json()["title"] == "Buy milk"
        etag = read.headers["etag"]

        updated = client.patch(
            location, json={"completed": True}, headers={**user_headers, "If-Match": etag}
        )
        assert updated.status_code == 200
        assert updated.json()["completed"] is True
        assert updated.headers["etag"] != etag

        stale = client.patch(
            location, json={"title": "Lost update"}, headers={**user_headers, "If-Match": etag}
        )
        assert_problem(stale, 412, location)

        deleted = client.delete(
            location, headers={**user_headers, "If-Match": updated.headers["etag"]}
        )
        assert deleted.status_code == 204
        assert_problem(client.get(location, headers=user_headers), 404, location)

    def test_another_users_todo_is_not_found(
        self, client: httpx.Client, user_headers: dict[str, str], make_token
    ) -> None:
        location = client.post(
            "/api/v1/todos", json={"title": "mine"}, headers=user_headers
        ).headers["location"]

        stranger = {"Authorization": f"Bearer {make_token()}"}
        assert_problem(client.get(location, headers=stranger), 404, location)

    def test_a_token_signed_with_another_secret_is_refused(self, client: httpx.Client) -> None:
        from todo_common.security.tokens import mint_token

        forged = mint_token(
            subject=str(uuid.uuid4()),
            role="user",
            issuer="todo-auth",
            audience="todo-platform",
            signing_key="not-the-stacks-secret-but-long-enough-0123456789",
            algorithm="HS256",
        )

        response = client.get("/api/v1/todos", headers={"Authorization": f"Bearer {forged}"})

        assert_problem(response, 401, "/api/v1/todos")
        assert response.headers["www-authenticate"].startswith("Bearer")


class TestRequestId:
    def test_the_clients_request_id_comes_back_from_the_service(
        self, client: httpx.Client, user_headers: dict[str, str]
    ) -> None:
        response = client.get(
            "/api/v1/todos", headers={**user_headers, "X-Request-ID": "client-trace-42"}
        )

        assert response.status_code == 200
        assert response.headers["x-request-id"] == "client-trace-42"

    @pytest.mark.parametrize("path", ["/api/v1/todos/not-a-uuid", "/no-such-path"])
    def test_error_bodies_carry_the_clients_request_id(
        self, client: httpx.Client, user_headers: dict[str, str], path: str
    ) -> None:
        response = client.get(path, headers={**user_headers, "X-Request-ID": "client-trace-43"})

        assert response.status_code >= 400
        assert response.json()["request_id"] == "client-trace-43"
        assert response.headers["x-request-id"] == "client-trace-43"

    def test_without_one_the_answer_still_has_one(self, client: httpx.Client) -> None:
        response = client.get("/no-such-path")

        assert len(response.headers["x-request-id"]) >= 16


class TestSecurityHeaders:
    @pytest.mark.parametrize("path", ["/api/v1/todos", "/api/v1/todos/docs", "/no-such-path"])
    def test_every_answer_has_them_and_no_hsts_over_plain_http(
        self, client: httpx.Client, user_headers: dict[str, str], path: str
    ) -> None:
        response = client.get(path, headers=user_headers)

        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
        assert "strict-transport-security" not in response.headers

    def test_hsts_is_sent_over_tls(
        self, gateway: GatewayPorts, user_headers: dict[str, str]
    ) -> None:
        # Locally the TLS entry point serves Traefik's self-signed certificate.
        with httpx.Client(base_url=gateway.tls_url, verify=False, timeout=10) as tls:  # noqa: S501
            response = tls.get("/api/v1/todos", headers=user_headers)

        assert response.status_code == 200
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")
        assert response.headers["x-content-type-options"] == "nosniff"


class TestCompression:
    def test_a_large_list_is_gzipped_for_a_client_that_accepts_it(
        self, client: httpx.Client, user_headers: dict[str, str]
    ) -> None:
        for number in range(40):
            created = client.post(
                "/api/v1/todos",
                json={"title": f"todo {number}", "description": "a fairly long note " * 20},
                headers=user_headers,
            )
            assert created.status_code == 201

        compressed = client.get(
            "/api/v1/todos",
            params={"limit": 100},
            headers={**user_headers, "Accept-Encoding": "gzip"},
        )
        plain = client.get(
            "/api/v1/todos",
            params={"limit": 100},
            headers={**user_headers, "Accept-Encoding": "identity"},
        )

        assert compressed.status_code == plain.status_code == 200
        assert compressed.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain.headers
        # httpx decodes transparently; the wire size is what the gzip saved.
        assert len(compressed.content) == len(plain.content)
        assert compressed.json() == plain.json()
        assert len(compressed.json()["items"]) == 40
        assert len(gzip.compress(plain.content)) < len(plain.content) / 4

    def test_a_compressed_read_keeps_an_etag_that_if_match_accepts(
        self, client: httpx.Client, user_headers: dict[str, str]
    ) -> None:
        location = client.post(
            "/api/v1/todos",
            json={"title": "long", "description": "words worth compressing " * 200},
            headers=user_headers,
        ).headers["location"]

        read = client.get(location, headers={**user_headers, "Accept-Encoding": "gzip"})
        assert read.headers["content-encoding"] == "gzip"
        updated = client.patch(
            location,
            json={"completed": True},
            headers={**user_headers, "If-Match": read.headers["etag"]},
        )

        assert updated.status_code == 200
