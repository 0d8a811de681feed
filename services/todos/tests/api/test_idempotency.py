"""`Idempotency-Key` on `POST /todos`: a retry answers the first result instead of a new todo."""

from typing import Any

import httpx
import pytest

from tests.fixtures import TODOS, ApiUser, todo_path
from todo_common.testing.assertions import assert_validation_problem
from todo_common.testing.waiting import at_once


def create(user: ApiUser, key: str, **fields: Any) -> httpx.Response:
    body = {"title": "Buy milk", **fields}
    return user.request("POST", TODOS, json=body, headers={"Idempotency-Key": key})


class TestIdempotentCreate:
    def test_first_request_creates_and_is_not_marked_replayed(self, alice: ApiUser) -> None:
        response = create(alice, "key-1")

        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
        assert alice.list_ids() == [response.json()["id"]]

    def test_retry_with_same_key_and_body_replays_the_first_answer(self, alice: ApiUser) -> None:
        first = create(alice, "key-1", description="2 litres", due_at="2030-01-01T00:00:00Z")

        retry = create(alice, "key-1", description="2 litres", due_at="2030-01-01T00:00:00Z")

        assert retry.status_code == 201
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
        assert retry.headers["Location"] == first.headers["Location"]
        assert retry.headers["ETag"] == first.headers["ETag"]
        assert alice.list_ids() == [first.json()["id"]]

    def test_replay_holds_after_the_todo_changes(self, alice: ApiUser) -> None:
        first = create(alice, "key-1")
        alice.request("PATCH", todo_path(first.json()["id"]), json={"completed": True})

        retry = create(alice, "key-1")

        assert retry.status_code == 201
        assert retry.json()["id"] == first.json()["id"]
        assert len(alice.list_ids()) == 1

    def test_replay_after_the_todo_is_deleted_answers_the_create_and_recreates_nothing(
        self, alice: ApiUser
    ) -> None:
        first = create(alice, "key-1")
        todo_id = first.json()["id"]
        assert alice.request("DELETE", todo_path(todo_id)).status_code == 204

        retry = create(alice, "key-1")

        # "Did my create happen?" Yes: the stored answer. What the todo is now, GET says.
        assert retry.status_code == 201
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
        assert alice.get_todo(todo_id).status_code == 404
        assert alice.list_ids() == []

    def test_same_key_with_another_body_is_422(self, alice: ApiUser) -> None:
        first = create(alice, "key-1", title="Buy milk")

        response = create(alice, "key-1", title="Buy bread")

        body = assert_validation_problem(response, "header", "idempotency-key")
        assert "Idempotency-Key" in body["detail"]
        assert alice.list_ids() == [first.json()["id"]]
        assert alice.get_todo(first.json()["id"]).json()["title"] == "Buy milk"

    def test_different_keys_create_different_todos(self, alice: ApiUser) -> None:
        first = create(alice, "key-1")
        second = create(alice, "key-2")

        assert first.json()["id"] != second.json()["id"]
        assert "Idempotent-Replayed" not in second.headers
        assert len(alice.list_ids()) == 2

    def test_keys_belong_to_one_user(self, alice: ApiUser, bob: ApiUser) -> None:
        alices = create(alice, "shared-key")

        bobs = create(bob, "shared-key", title="Something else entirely")

        assert bobs.status_code == 201
        assert "Idempotent-Replayed" not in bobs.headers
        assert bobs.json()["id"] != alices.json()["id"]
        assert bob.list_ids() == [bobs.json()["id"]]
        assert alice.list_ids() == [alices.json()["id"]]

    def test_a_user_retrying_anothers_key_and_body_gets_their_own_todo(
        self, alice: ApiUser, bob: ApiUser
    ) -> None:
        alices = create(alice, "shared-key")

        bobs = create(bob, "shared-key")

        assert bobs.json()["id"] != alices.json()["id"]
        assert bob.get_todo(alices.json()["id"]).status_code == 404

    @pytest.mark.parametrize("key", [b"", b"has space", b"x" * 256, b"tab\there", "ключ".encode()])
    def test_malformed_key_is_422(self, alice: ApiUser, key: bytes) -> None:
        response = alice.client.post(
            TODOS,
            json={"title": "Buy milk"},
            headers=[
                (b"Authorization", f"Bearer {alice.token}".encode()),
                (b"Idempotency-Key", key),
            ],
        )

        assert_validation_problem(response, "header", "idempotency-key")
        assert alice.list_ids() == []

    def test_concurrent_retries_create_one_todo(self, alice: ApiUser) -> None:
        responses = at_once(lambda _: create(alice, "key-under-load"), range(8))

        assert [response.status_code for response in responses] == [201] * 8
        ids = {response.json()["id"] for response in responses}
        assert len(ids) == 1
        replayed = [response.headers.get("Idempotent-Replayed") for response in responses]
        assert replayed.count("true") == 7
        assert alice.list_ids() == list(ids)
