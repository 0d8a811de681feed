"""Optimistic concurrency: ETags on reads and writes, `If-Match` preconditions (412)."""

import re
from collections.abc import Callable

import pytest

from tests.fixtures import TODOS, ApiUser, todo_path
from todo_common.testing.assertions import assert_problem
from todo_common.testing.waiting import at_once

# RFC 9110: a strong entity tag is an opaque string in double quotes.
STRONG_ETAG = re.compile(r'^"[\x21\x23-\x7e]+"$')
# Both ways to change a todo take the same preconditions.
EVERY_WRITE = pytest.mark.parametrize(
    ("method", "body"), [("PATCH", {"completed": True}), ("PUT", {"title": "New"})]
)


class TestETags:
    def test_get_answers_a_strong_etag(self, alice: ApiUser) -> None:
        todo = alice.create_todo()

        assert STRONG_ETAG.fullmatch(alice.etag_of(todo["id"]))

    def test_create_answers_the_etag_a_get_answers(self, alice: ApiUser) -> None:
        created = alice.request("POST", TODOS, json={"title": "Buy milk"})

        assert created.headers["ETag"] == alice.etag_of(created.json()["id"])

    @EVERY_WRITE
    def test_every_write_changes_the_etag(
        self, alice: ApiUser, method: str, body: dict[str, object]
    ) -> None:
        todo = alice.create_todo()
        before = alice.etag_of(todo["id"])

        response = alice.request(method, todo_path(todo["id"]), json=body)

        assert response.status_code == 200
        assert STRONG_ETAG.fullmatch(response.headers["ETag"])
        assert response.headers["ETag"] != before
        assert alice.etag_of(todo["id"]) == response.headers["ETag"]

    def test_reading_does_not_change_the_etag(self, alice: ApiUser) -> None:
        todo = alice.create_todo()

        assert alice.etag_of(todo["id"]) == alice.etag_of(todo["id"])


class TestIfMatch:
    @EVERY_WRITE
    def test_current_etag_lets_the_write_through(
        self, alice: ApiUser, method: str, body: dict[str, object]
    ) -> None:
        todo = alice.create_todo(title="Old")
        etag = alice.etag_of(todo["id"])

        response = alice.request(
            method, todo_path(todo["id"]), json=body, headers={"If-Match": etag}
        )

        assert response.status_code == 200
        assert response.headers["ETag"] != etag

    @EVERY_WRITE
    def test_stale_etag_is_412_and_changes_nothing(
        self, alice: ApiUser, method: str, body: dict[str, object]
    ) -> None:
        todo = alice.create_todo(title="Old")
        stale = alice.etag_of(todo["id"])
        alice.request("PATCH", todo_path(todo["id"]), json={"priority": "high"})
        current = alice.get_todo(todo["id"])

        response = alice.request(
            method, todo_path(todo["id"]), json=body, headers={"If-Match": stale}
        )

        assert_problem(response, 412)
        after = alice.get_todo(todo["id"])
        assert after.json() == current.json()
        assert after.headers["ETag"] == current.headers["ETag"]

    def test_star_matches_any_version(self, alice: ApiUser) -> None:
        todo = alice.create_todo()
        alice.request("PATCH", todo_path(todo["id"]), json={"priority": "high"})

        response = alice.request(
            "PATCH", todo_path(todo["id"]), json={"completed": True}, headers={"If-Match": "*"}
        )

        assert response.status_code == 200
        assert response.json()["completed"] is True

    def test_list_of_etags_matches_if_one_is_current(self, alice: ApiUser) -> None:
        todo = alice.create_todo()
        etag = alice.etag_of(todo["id"])

        response = alice.request(
            "PATCH",
            todo_path(todo["id"]),
            json={"completed": True},
            headers={"If-Match": f'"stale-one", {etag}'},
        )

        assert response.status_code == 200

    @pytest.mark.parametrize(
        "weaken",
        [lambda etag: f"W/{etag}", lambda etag: etag.strip('"')],
        ids=["weak", "unquoted"],
    )
    def test_weak_or_unquoted_etag_never_matches(
        self, alice: ApiUser, weaken: Callable[[str], str]
    ) -> None:
        todo = alice.create_todo()
        etag = alice.etag_of(todo["id"])

        response = alice.request(
            "PATCH",
            todo_path(todo["id"]),
            json={"completed": True},
            headers={"If-Match": weaken(etag)},
        )

        assert_problem(response, 412)

    def test_delete_with_stale_etag_is_412_and_keeps_the_todo(self, alice: ApiUser) -> None:
        todo = alice.create_todo()
        stale = alice.etag_of(todo["id"])
        alice.request("PATCH", todo_path(todo["id"]), json={"completed": True})

        response = alice.request("DELETE", todo_path(todo["id"]), headers={"If-Match": stale})

        assert_problem(response, 412)
        assert alice.get_todo(todo["id"]).status_code == 200

    def test_delete_with_current_etag_deletes(self, alice: ApiUser) -> None:
        todo = alice.create_todo()
        etag = alice.etag_of(todo["id"])

        response = alice.request("DELETE", todo_path(todo["id"]), headers={"If-Match": etag})

        assert response.status_code == 204
        assert_problem(alice.get_todo(todo["id"]), 404)

    def test_other_users_todo_is_404_whatever_the_etag(self, alice: ApiUser, bob: ApiUser) -> None:
        todo = alice.create_todo()
        etag = alice.etag_of(todo["id"])

        for if_match in (etag, '"stale"', "*"):
            response = bob.request(
                "PATCH",
                todo_path(todo["id"]),
                json={"completed": True},
                headers={"If-Match": if_match},
            )
            assert_problem(response, 404)


class TestConcurrentWriters:
    def test_same_etag_lets_exactly_one_patch_through(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Original")
        etag = alice.etag_of(todo["id"])
        titles = [f"Writer {index}" for index in range(6)]

        responses = at_once(
            lambda title: alice.request(
                "PATCH", todo_path(todo["id"]), json={"title": title}, headers={"If-Match": etag}
            ),
            titles,
        )

        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200] + [412] * (len(titles) - 1)
        winner = next(response for response in responses if response.status_code == 200)
        for loser in (response for response in responses if response.status_code == 412):
            assert_problem(loser, 412)
        after = alice.get_todo(todo["id"])
        assert after.json() == winner.json()
        assert after.headers["ETag"] == winner.headers["ETag"]

    def test_same_etag_lets_exactly_one_delete_or_patch_through(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Original")
        etag = alice.etag_of(todo["id"])
        path = todo_path(todo["id"])

        responses = at_once(
            lambda method: alice.request(
                method,
                path,
                headers={"If-Match": etag},
                **({"json": {"completed": True}} if method == "PATCH" else {}),
            ),
            ["DELETE", "PATCH"],
        )

        # Whichever wins, the other finds the todo changed (412) or gone (404).
        statuses = {response.request.method: response.status_code for response in responses}
        assert statuses in ({"DELETE": 204, "PATCH": 404}, {"DELETE": 412, "PATCH": 200})
