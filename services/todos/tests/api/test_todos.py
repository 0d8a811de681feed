"""The routes of `api/routes/todos.py`, one class per operation, as a client sees them."""

import uuid
from typing import Any

import pytest

from tests.fixtures import TODOS, ApiUser, due, parse_time, todo_path
from todo_common.testing.assertions import assert_problem, assert_validation_problem

MISSING_ID = "00000000-0000-4000-8000-000000000000"
MALFORMED_IDS = ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g"]

# Bodies every write refuses, with the field the 422 names.
INVALID_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"colour": "red"}, "colour"),
    ({"id": str(uuid.uuid4())}, "id"),
    ({"owner_id": str(uuid.uuid4())}, "owner_id"),
    ({"created_at": "2030-01-01T00:00:00Z"}, "created_at"),
    ({"updated_at": "2030-01-01T00:00:00Z"}, "updated_at"),
    ({"version": 7}, "version"),
    ({"title": ""}, "title"),
    ({"title": "   \t\n "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "nul\x00inside"}, "title"),
    # Nothing a reader could see: zero-width and bidi controls, a blank filler.
    ({"title": "\u200b\u200c\u202e\u2066"}, "title"),
    ({"title": "\u3164"}, "title"),
    ({"title": "\u202egnp.exe"}, "title"),
    ({"title": 42}, "title"),
    ({"description": "x" * 10_001}, "description"),
    ({"description": "nul\x00inside"}, "description"),
    ({"priority": "urgent"}, "priority"),
    ({"priority": "HIGH"}, "priority"),
    ({"completed": "maybe"}, "completed"),
    ({"due_at": "2030-01-01T10:00:00"}, "due_at"),
    ({"due_at": "next tuesday"}, "due_at"),
    ({"due_at": "2030-02-30T10:00:00Z"}, "due_at"),
    ({"due_at": 1_900_000_000}, "due_at"),
    ({"due_at": "1900000000"}, "due_at"),
    ({"due_at": "0001-01-01T00:00:00+01:00"}, "due_at"),
]
INVALID_FIELD_IDS = [f"{field}={str(body)[:40]}" for body, field in INVALID_FIELDS]


class TestListTodos:
    def test_empty_list_has_no_items_and_no_cursor(self, alice: ApiUser) -> None:
        response = alice.request("GET", TODOS)

        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {"items": [], "next_cursor": None}

    def test_lists_own_todos_newest_first(self, alice: ApiUser) -> None:
        first, second, third = alice.create_todos({"title": "a"}, {"title": "b"}, {"title": "c"})

        page = alice.list_page()

        assert page["items"] == [third, second, first]
        assert page["next_cursor"] is None

    def test_trailing_slash_answers_the_same_without_redirect(self, alice: ApiUser) -> None:
        alice.create_todos({"title": "a"}, {"title": "b"})

        plain = alice.request("GET", TODOS, params={"limit": 1})
        slashed = alice.request("GET", f"{TODOS}/", params={"limit": 1})

        assert slashed.status_code == 200
        assert "Location" not in slashed.headers
        assert slashed.json() == plain.json()

    def test_default_page_holds_20(self, alice: ApiUser) -> None:
        alice.create_todos(*({"title": f"t{index}"} for index in range(21)))

        page = alice.list_page()

        assert len(page["items"]) == 20
        assert page["next_cursor"] is not None

    def test_other_users_todos_are_never_listed(self, alice: ApiUser, bob: ApiUser) -> None:
        alice.create_todo(title="alice's secret", description="shared word", due_at=due(1))
        own = bob.create_todo(title="bob's", description="shared word", due_at=due(1))

        assert bob.list_all() == [own]
        assert bob.list_all(q="shared", sort="due_at", due_before=due(2)) == [own]
        assert bob.list_all(q="secret") == []

    @pytest.mark.parametrize("completed", [True, False])
    def test_filters_by_completed(self, alice: ApiUser, completed: bool) -> None:
        done = alice.create_todo(title="done", completed=True)
        open_ = alice.create_todo(title="open")

        ids = alice.list_ids(completed=str(completed).lower())

        assert ids == [done["id"] if completed else open_["id"]]

    def test_filters_by_priority(self, alice: ApiUser) -> None:
        low, _, high = alice.create_todos(
            {"title": "l", "priority": "low"}, {"title": "m"}, {"title": "h", "priority": "high"}
        )

        assert alice.list_ids(priority="high") == [high["id"]]
        assert alice.list_ids(priority="low") == [low["id"]]

    def test_q_matches_title_or_description_case_insensitively(self, alice: ApiUser) -> None:
        in_title = alice.create_todo(title="Call the PLUMBER")
        in_description = alice.create_todo(title="Chores", description="ask the plumber")
        alice.create_todo(title="Groceries", description="milk")

        ids = alice.list_ids(q="pLuMbEr")

        assert sorted(ids) == sorted([in_title["id"], in_description["id"]])

    @pytest.mark.parametrize("wildcard", ["%", "_", "\\"])
    def test_q_matches_like_wildcards_literally(self, alice: ApiUser, wildcard: str) -> None:
        literal = alice.create_todo(title=f"50{wildcard} off")
        alice.create_todo(title="500 off")
        alice.create_todo(title="50 off")

        assert alice.list_ids(q=f"50{wildcard}") == [literal["id"]]

    def test_due_before_is_exclusive(self, alice: ApiUser) -> None:
        earlier, _, _ = alice.create_todos(
            {"title": "earlier", "due_at": due(1)},
            {"title": "at the bound", "due_at": due(2)},
            {"title": "undated"},
        )

        assert alice.list_ids(due_before=due(2)) == [earlier["id"]]

    def test_due_after_is_inclusive(self, alice: ApiUser) -> None:
        _, at_bound, later, _ = alice.create_todos(
            {"title": "earlier", "due_at": due(1)},
            {"title": "at the bound", "due_at": due(2)},
            {"title": "later", "due_at": due(3)},
            {"title": "undated"},
        )

        assert alice.list_ids(due_after=due(2), sort="due_at") == [at_bound["id"], later["id"]]

    def test_due_range_compares_instants_across_timezones(self, alice: ApiUser) -> None:
        todo = alice.create_todo(due_at="2030-06-01T12:00:00+02:00")

        assert alice.list_ids(due_after="2030-06-01T10:00:00Z") == [todo["id"]]
        assert alice.list_ids(due_after="2030-06-01T10:00:01Z") == []

    def test_filters_combine(self, alice: ApiUser) -> None:
        match = alice.create_todo(title="report", priority="high", completed=True, due_at=due(1))
        alice.create_todo(title="report", priority="high", completed=False, due_at=due(1))
        alice.create_todo(title="report", priority="low", completed=True, due_at=due(1))
        alice.create_todo(title="report", priority="high", completed=True, due_at=due(9))
        alice.create_todo(title="other", priority="high", completed=True, due_at=due(1))

        ids = alice.list_ids(
            q="REPORT", priority="high", completed="true", due_after=due(0), due_before=due(2)
        )

        assert ids == [match["id"]]

    @pytest.mark.parametrize(
        ("sort", "expected_titles"),
        [
            (None, ["undated", "late", "early"]),
            ("-created_at", ["undated", "late", "early"]),
            ("created_at", ["early", "late", "undated"]),
            ("due_at", ["early", "late", "undated"]),
            ("-due_at", ["late", "early", "undated"]),
        ],
    )
    def test_sorts(self, alice: ApiUser, sort: str | None, expected_titles: list[str]) -> None:
        alice.create_todos(
            {"title": "early", "due_at": due(1)},
            {"title": "late", "due_at": due(5)},
            {"title": "undated"},
        )

        params = {"sort": sort} if sort else {}
        assert [todo["title"] for todo in alice.list_all(**params)] == expected_titles

    @pytest.mark.parametrize(
        ("params", "loc"),
        [
            ({"limit": 0}, ("query", "limit")),
            ({"limit": 101}, ("query", "limit")),
            ({"limit": "ten"}, ("query", "limit")),
            ({"completed": "maybe"}, ("query", "completed")),
            ({"priority": "urgent"}, ("query", "priority")),
            ({"sort": "title"}, ("query", "sort")),
            ({"q": ""}, ("query", "q")),
            ({"q": "a\x00b"}, ("query", "q")),
            ({"q": "x" * 101}, ("query", "q")),
            ({"due_before": "2030-01-01T00:00:00"}, ("query", "due_before")),
            ({"due_after": "2030-01-01"}, ("query", "due_after")),
            ({"due_after": "soon"}, ("query", "due_after")),
            ({"due_after": "1900000000"}, ("query", "due_after")),
            ({"due_before": "0"}, ("query", "due_before")),
            ({"due_after": due(2), "due_before": due(2)}, ("query",)),
            ({"due_after": due(3), "due_before": due(2)}, ("query",)),
        ],
        ids=lambda value: str(value)[:40],
    )
    def test_invalid_query_is_422(
        self, alice: ApiUser, params: dict[str, Any], loc: tuple[str, ...]
    ) -> None:
        alice.create_todo()

        assert_validation_problem(alice.request("GET", TODOS, params=params), *loc)

    def test_limit_bounds_are_accepted(self, alice: ApiUser) -> None:
        alice.create_todos({"title": "a"}, {"title": "b"})

        assert len(alice.list_page(limit=1)["items"]) == 1
        assert len(alice.list_page(limit=100)["items"]) == 2


class TestCreateTodo:
    def test_answers_201_with_location_and_etag(self, alice: ApiUser) -> None:
        response = alice.request("POST", TODOS, json={"title": "Buy milk"})

        assert response.status_code == 201
        todo = response.json()
        assert response.headers["Location"] == todo_path(todo["id"])
        assert response.headers["ETag"] == alice.etag_of(todo["id"])
        assert alice.request("GET", response.headers["Location"]).json() == todo

    def test_body_has_every_field_of_a_todo(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Buy milk")

        assert set(todo) == {
            "id",
            "title",
            "description",
            "completed",
            "priority",
            "due_at",
            "created_at",
            "updated_at",
        }
        uuid.UUID(todo["id"])
        assert todo["created_at"].endswith("Z")
        assert todo["updated_at"].endswith("Z")

    def test_defaults(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Buy milk")

        assert todo["priority"] == "medium"
        assert todo["completed"] is False
        assert todo["description"] is None
        assert todo["due_at"] is None

    def test_title_is_trimmed(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="  \tBuy milk \n")

        assert todo["title"] == "Buy milk"
        assert alice.get_todo(todo["id"]).json()["title"] == "Buy milk"

    def test_stores_every_field_and_answers_due_at_in_utc(self, alice: ApiUser) -> None:
        todo = alice.create_todo(
            title="Report",
            description="Quarterly numbers",
            completed=True,
            priority="high",
            due_at="2030-01-01T10:00:00+02:00",
        )

        assert todo["description"] == "Quarterly numbers"
        assert todo["completed"] is True
        assert todo["priority"] == "high"
        assert todo["due_at"] == "2030-01-01T08:00:00Z"
        assert alice.get_todo(todo["id"]).json() == todo

    def test_longest_title_and_description_are_accepted(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title=f"  {'t' * 200}  ", description="d" * 10_000)

        assert todo["title"] == "t" * 200
        assert len(todo["description"]) == 10_000

    def test_trailing_slash_creates_without_redirect(self, alice: ApiUser) -> None:
        response = alice.request("POST", f"{TODOS}/", json={"title": "Buy milk"})

        assert response.status_code == 201
        assert response.headers["Location"] == todo_path(response.json()["id"])

    def test_creates_a_new_todo_each_time_without_a_key(self, alice: ApiUser) -> None:
        first = alice.create_todo(title="Buy milk")
        second = alice.create_todo(title="Buy milk")

        assert first["id"] != second["id"]
        assert len(alice.list_all()) == 2

    @pytest.mark.parametrize(("fields", "field"), INVALID_FIELDS, ids=INVALID_FIELD_IDS)
    def test_invalid_body_is_422(self, alice: ApiUser, fields: dict[str, Any], field: str) -> None:
        response = alice.request("POST", TODOS, json={"title": "Buy milk", **fields})

        assert_validation_problem(response, "body", field)
        assert alice.list_all() == []

    def test_missing_title_is_422(self, alice: ApiUser) -> None:
        assert_validation_problem(alice.request("POST", TODOS, json={}), "body", "title")

    @pytest.mark.parametrize(
        "content", [b"not json", b'{"title": "unterminated', b"[1, 2]", b'"title"', b"null"]
    )
    def test_body_that_is_not_a_json_object_is_422(self, alice: ApiUser, content: bytes) -> None:
        response = alice.request(
            "POST", TODOS, content=content, headers={"Content-Type": "application/json"}
        )

        assert_problem(response, 422)
        assert response.json()["errors"]
        assert alice.list_all() == []


class TestGetTodo:
    def test_answers_the_todo_with_etag(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Buy milk", description="2 litres", due_at=due(1))

        response = alice.get_todo(todo["id"])

        assert response.status_code == 200
        assert response.json() == todo
        assert response.headers["ETag"].startswith('"')

    def test_trailing_slash_answers_the_same(self, alice: ApiUser) -> None:
        todo = alice.create_todo()

        response = alice.request("GET", f"{todo_path(todo['id'])}/")

        assert response.status_code == 200
        assert response.json() == todo

    def test_unknown_todo_is_404(self, alice: ApiUser) -> None:
        body = assert_problem(alice.get_todo(MISSING_ID), 404)

        assert body["detail"] == "Todo not found"
        assert body["title"] == "Not Found"

    def test_other_users_todo_is_404(self, alice: ApiUser, bob: ApiUser) -> None:
        todo = alice.create_todo()

        body = assert_problem(bob.get_todo(todo["id"]), 404)

        assert body["detail"] == "Todo not found"

    @pytest.mark.parametrize("todo_id", MALFORMED_IDS)
    def test_malformed_id_is_422(self, alice: ApiUser, todo_id: str) -> None:
        assert_validation_problem(alice.get_todo(todo_id), "path", "todo_id")


class TestReplaceTodo:
    def test_replaces_every_field(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Old")
        replacement = {
            "title": "  New  ",
            "description": "details",
            "completed": True,
            "priority": "low",
            "due_at": "2030-01-01T00:00:00Z",
        }

        response = alice.request("PUT", todo_path(todo["id"]), json=replacement)

        assert response.status_code == 200
        replaced = response.json()
        assert replaced == {
            **todo,
            **replacement,
            "title": "New",
            "updated_at": replaced["updated_at"],
        }
        assert response.headers["ETag"] == alice.etag_of(todo["id"])
        assert alice.get_todo(todo["id"]).json() == replaced

    def test_omitted_fields_return_to_defaults(self, alice: ApiUser) -> None:
        todo = alice.create_todo(
            title="Old", description="details", completed=True, priority="high", due_at=due(1)
        )

        response = alice.request("PUT", todo_path(todo["id"]), json={"title": "Only a title"})

        assert response.status_code == 200
        replaced = response.json()
        assert replaced["title"] == "Only a title"
        assert replaced["description"] is None
        assert replaced["completed"] is False
        assert replaced["priority"] == "medium"
        assert replaced["due_at"] is None

    def test_keeps_id_and_created_at_and_advances_updated_at(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Old")

        replaced = alice.request("PUT", todo_path(todo["id"]), json={"title": "New"}).json()

        assert replaced["id"] == todo["id"]
        assert replaced["created_at"] == todo["created_at"]
        assert parse_time(replaced["updated_at"]) > parse_time(todo["updated_at"])

    def test_other_users_todo_is_404_and_unchanged(self, alice: ApiUser, bob: ApiUser) -> None:
        todo = alice.create_todo(title="Alice's")

        response = bob.request("PUT", todo_path(todo["id"]), json={"title": "Bob was here"})

        assert_problem(response, 404)
        assert alice.get_todo(todo["id"]).json() == todo

    def test_unknown_todo_is_404(self, alice: ApiUser) -> None:
        assert_problem(alice.request("PUT", todo_path(MISSING_ID), json={"title": "New"}), 404)

    @pytest.mark.parametrize(("fields", "field"), INVALID_FIELDS, ids=INVALID_FIELD_IDS)
    def test_invalid_body_is_422_and_changes_nothing(
        self, alice: ApiUser, fields: dict[str, Any], field: str
    ) -> None:
        todo = alice.create_todo(title="Old")

        response = alice.request("PUT", todo_path(todo["id"]), json={"title": "New", **fields})

        assert_validation_problem(response, "body", field)
        assert alice.get_todo(todo["id"]).json() == todo

    def test_missing_title_is_422(self, alice: ApiUser) -> None:
        todo = alice.create_todo()

        response = alice.request("PUT", todo_path(todo["id"]), json={"completed": True})

        assert_validation_problem(response, "body", "title")

    @pytest.mark.parametrize("todo_id", MALFORMED_IDS)
    def test_malformed_id_is_422(self, alice: ApiUser, todo_id: str) -> None:
        response = alice.request("PUT", todo_path(todo_id), json={"title": "New"})

        assert_validation_problem(response, "path", "todo_id")


class TestUpdateTodo:
    def test_changes_only_the_fields_sent(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Old", description="details", priority="high", due_at=due(1))

        response = alice.request("PATCH", todo_path(todo["id"]), json={"completed": True})

        assert response.status_code == 200
        updated = response.json()
        assert updated == {**todo, "completed": True, "updated_at": updated["updated_at"]}
        assert parse_time(updated["updated_at"]) > parse_time(todo["updated_at"])
        assert response.headers["ETag"] == alice.etag_of(todo["id"])
        assert alice.get_todo(todo["id"]).json() == updated

    def test_trims_a_new_title(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Old")

        response = alice.request("PATCH", todo_path(todo["id"]), json={"title": "  New "})

        assert response.json()["title"] == "New"

    def test_null_clears_description_and_due_at(self, alice: ApiUser) -> None:
        todo = alice.create_todo(title="Old", description="details", due_at=due(1))

        response = alice.request(
            "PATCH", todo_path(todo["id"]), json={"description": None, "due_at": None}
        )

        assert response.status_code == 200
        updated = response.json()
        assert updated["description"] is None
        assert updated["due_at"] is None
        assert updated["title"] == "Old"

    @pytest.mark.parametrize("field", ["title", "completed", "priority"])
    def test_null_is_refused_for_required_fields(self, alice: ApiUser, field: str) -> None:
        todo = alice.create_todo(title="Old", priority="high", completed=True)

        response = alice.request("PATCH", todo_path(todo["id"]), json={field: None})

        assert_validation_problem(response, "body", field)
        assert alice.get_todo(todo["id"]).json() == todo

    @pytest.mark.parametrize(("fields", "field"), INVALID_FIELDS, ids=INVALID_FIELD_IDS)
    def test_invalid_body_is_422_and_changes_nothing(
        self, alice: ApiUser, fields: dict[str, Any], field: str
    ) -> None:
        todo = alice.create_todo(title="Old")

        response = alice.request("PATCH", todo_path(todo["id"]), json=fields)

        assert_validation_problem(response, "body", field)
        assert alice.get_todo(todo["id"]).json() == todo

    def test_other_users_todo_is_404_and_unchanged(self, alice: ApiUser, bob: ApiUser) -> None:
        todo = alice.create_todo(title="Alice's")

        response = bob.request("PATCH", todo_path(todo["id"]), json={"completed": True})

        assert_problem(response, 404)
        assert alice.get_todo(todo["id"]).json() == todo

    def test_unknown_todo_is_404(self, alice: ApiUser) -> None:
        response = alice.request("PATCH", todo_path(MISSING_ID), json={"completed": True})

        assert_problem(response, 404)

    @pytest.mark.parametrize("todo_id", MALFORMED_IDS)
    def test_malformed_id_is_422(self, alice: ApiUser, todo_id: str) -> None:
        response = alice.request("PATCH", todo_path(todo_id), json={"completed": True})

        assert_validation_problem(response, "path", "todo_id")


class TestDeleteTodo:
    def test_answers_204_then_the_todo_is_gone(self, alice: ApiUser) -> None:
        todo, other = alice.create_todos({"title": "doomed"}, {"title": "kept"})

        response = alice.request("DELETE", todo_path(todo["id"]))

        assert response.status_code == 204
        assert response.content == b""
        assert_problem(alice.get_todo(todo["id"]), 404)
        assert alice.list_all() == [other]

    def test_deleting_twice_is_404(self, alice: ApiUser) -> None:
        todo = alice.create_todo()
        alice.request("DELETE", todo_path(todo["id"]))

        assert_problem(alice.request("DELETE", todo_path(todo["id"])), 404)

    def test_other_users_todo_is_404_and_kept(self, alice: ApiUser, bob: ApiUser) -> None:
        todo = alice.create_todo()

        assert_problem(bob.request("DELETE", todo_path(todo["id"])), 404)
        assert alice.get_todo(todo["id"]).json() == todo

    def test_unknown_todo_is_404(self, alice: ApiUser) -> None:
        assert_problem(alice.request("DELETE", todo_path(MISSING_ID)), 404)

    @pytest.mark.parametrize("todo_id", MALFORMED_IDS)
    def test_malformed_id_is_422(self, alice: ApiUser, todo_id: str) -> None:
        assert_validation_problem(alice.request("DELETE", todo_path(todo_id)), "path", "todo_id")
