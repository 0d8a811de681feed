"""Keyset paging of `GET /todos`: every todo exactly once, in order, even during inserts."""

import base64
import json
import uuid
from typing import Any

import pytest

from tests.fixtures import TODOS, ApiUser, Todo, create_paging_set, due, expected_order
from todo_common.testing.assertions import assert_validation_problem

SORTS = ["-created_at", "created_at", "due_at", "-due_at"]


def forged_cursor(position: Any) -> str:
    """A cursor in the service's encoding (base64url JSON) holding anything at all."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


@pytest.fixture
def paging_set(alice: ApiUser) -> list[Todo]:
    return create_paging_set(alice, count=30)


class TestPaging:
    @pytest.mark.parametrize("sort", SORTS)
    def test_every_todo_appears_once_in_order(
        self, alice: ApiUser, paging_set: list[Todo], sort: str
    ) -> None:
        expected = expected_order(paging_set, sort)

        # One set, several page sizes: page boundaries fall inside runs of shared due
        # dates, between dated and undated todos, and on the very last todo.
        for limit in (1, 4, 7, 30, 100):
            assert alice.list_ids(sort=sort, limit=limit) == expected, f"limit={limit}"

    @pytest.mark.parametrize("sort", SORTS)
    def test_pages_are_full_until_the_last(
        self, alice: ApiUser, paging_set: list[Todo], sort: str
    ) -> None:
        pages = []
        cursor = None
        while True:
            page = alice.list_page(sort=sort, limit=10, **({"cursor": cursor} if cursor else {}))
            pages.append(page)
            cursor = page["next_cursor"]
            if cursor is None:
                break

        # 30 todos in pages of 10: exactly three, and the third says it is the end.
        assert [len(page["items"]) for page in pages] == [10, 10, 10]

    def test_default_sort_is_newest_first(self, alice: ApiUser, paging_set: list[Todo]) -> None:
        assert alice.list_ids(limit=7) == expected_order(paging_set, "-created_at")

    @pytest.mark.parametrize("sort", SORTS)
    def test_filters_hold_across_pages(self, alice: ApiUser, sort: str) -> None:
        todos = alice.create_todos(
            *(
                {"title": f"t{index}", "priority": "high" if index % 2 else "low"}
                | ({"due_at": due(index % 3)} if index % 4 else {})
                for index in range(16)
            )
        )
        high = [todo for todo in todos if todo["priority"] == "high"]

        assert alice.list_ids(sort=sort, limit=3, priority="high") == expected_order(high, sort)

    @pytest.mark.parametrize("sort", SORTS)
    def test_inserts_between_pages_do_not_skip_or_repeat(
        self, alice: ApiUser, paging_set: list[Todo], sort: str
    ) -> None:
        seen: list[str] = []
        page = alice.list_page(sort=sort, limit=6)
        while True:
            seen.extend(todo["id"] for todo in page["items"])
            if page["next_cursor"] is None:
                break
            # New todos on every side of the cursor: before, on it, after, and undated.
            alice.create_todos(
                {"title": "new, early", "due_at": due(-1)},
                {"title": "new, on a shared date", "due_at": due(2)},
                {"title": "new, late", "due_at": due(9)},
                {"title": "new, undated"},
            )
            page = alice.list_page(sort=sort, limit=6, cursor=page["next_cursor"])

        original_ids = {todo["id"] for todo in paging_set}
        seen_originals = [todo_id for todo_id in seen if todo_id in original_ids]
        assert seen_originals == expected_order(paging_set, sort)
        assert len(seen) == len(set(seen))

    def test_deleting_the_last_seen_todo_does_not_break_the_cursor(
        self, alice: ApiUser, paging_set: list[Todo]
    ) -> None:
        first_page = alice.list_page(sort="due_at", limit=5)
        alice.request("DELETE", f"{TODOS}/{first_page['items'][-1]['id']}")

        rest = alice.list_all(sort="due_at", limit=5, cursor=first_page["next_cursor"])

        assert [todo["id"] for todo in first_page["items"] + rest] == expected_order(
            paging_set, "due_at"
        )


class TestCursorValidation:
    @pytest.mark.parametrize(
        "cursor",
        [
            "not-a-cursor!!",
            "%%%",
            "eyJ",
            forged_cursor([1, 2, 3]),
            forged_cursor("a string"),
            forged_cursor(None),
            forged_cursor({}),
            forged_cursor({"sort": "-created_at", "id": str(uuid.uuid4())}),
            forged_cursor({"sort": "-created_at", "value": None, "id": str(uuid.uuid4())}),
            forged_cursor({"sort": "-created_at", "value": "2030-01-01T00:00:00", "id": "x"}),
            forged_cursor(
                {"sort": "-created_at", "value": "2030-01-01T00:00:00", "id": str(uuid.uuid4())}
            ),
            forged_cursor({"sort": "-created_at", "value": "soon", "id": str(uuid.uuid4())}),
            forged_cursor({"sort": "-created_at", "value": 5, "id": str(uuid.uuid4())}),
            forged_cursor({"sort": "-created_at", "value": "2030-01-01T00:00:00Z", "id": 5}),
            forged_cursor({"sort": "-created_at", "value": "2030-01-01T00:00:00Z", "id": {}}),
            forged_cursor({"sort": "-created_at", "value": "2030-01-01T00:00:00Z", "id": None}),
            forged_cursor({"sort": "-created_at", "value": ["x"], "id": str(uuid.uuid4())}),
            # Out of range once in UTC.
            forged_cursor(
                {
                    "sort": "-created_at",
                    "value": "0001-01-01T00:00:00+05:00",
                    "id": str(uuid.uuid4()),
                }
            ),
            "x" * 513,
        ],
    )
    def test_malformed_cursor_is_422(self, alice: ApiUser, cursor: str) -> None:
        alice.create_todo()

        response = alice.request("GET", TODOS, params={"cursor": cursor})

        assert_validation_problem(response, "query", "cursor")

    @pytest.mark.parametrize(
        ("sort", "value"),
        [("-created_at", "2030-01-01T00:00:00+16:00"), ("due_at", "2030-01-01T00:00:00-23:59")],
    )
    def test_an_offset_postgresql_refuses_still_names_a_moment(
        self, alice: ApiUser, sort: str, value: str
    ) -> None:
        # Python reads offsets up to ±23:59, PostgreSQL only to ±15:59: the cursor is read
        # in UTC, so the database never sees the offset (it used to answer 500).
        alice.create_todo(due_at="2031-01-01T00:00:00Z")
        cursor = forged_cursor({"sort": sort, "value": value, "id": str(uuid.uuid4())})

        response = alice.request("GET", TODOS, params={"cursor": cursor, "sort": sort})

        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == 1

    @pytest.mark.parametrize(
        ("made_for", "used_with"),
        [("due_at", "-created_at"), ("-created_at", "created_at"), ("due_at", "-due_at")],
    )
    def test_cursor_from_another_sort_is_422(
        self, alice: ApiUser, paging_set: list[Todo], made_for: str, used_with: str
    ) -> None:
        cursor = alice.list_page(sort=made_for, limit=2)["next_cursor"]

        response = alice.request("GET", TODOS, params={"sort": used_with, "cursor": cursor})

        assert_validation_problem(response, "query", "cursor")

    def test_cursor_of_another_user_shows_only_your_todos(
        self, alice: ApiUser, bob: ApiUser, paging_set: list[Todo]
    ) -> None:
        cursor = alice.list_page(sort="created_at", limit=2)["next_cursor"]
        own = bob.create_todo(title="bob's")

        page = bob.list_page(sort="created_at", cursor=cursor)

        assert page == {"items": [own], "next_cursor": None}
