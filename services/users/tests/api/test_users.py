"""The routes of `api/routes/users.py`, one class per operation, as a client sees them."""

import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.fixtures import ME, USERS, ApiUser, registration, send_event, user_path
from todo_common.database import create_db_engine
from todo_common.pagination import encode_cursor
from todo_common.testing.assertions import (
    assert_problem,
    assert_unauthorized,
    assert_validation_problem,
)
from todo_common.testing.harness import TokenFactory, mint_service_token
from users.core.config import UsersSettings
from users.schemas.events import UserRegistered
from users.services import profiles

MISSING_ID = "00000000-0000-4000-8000-000000000000"
ANY_ID = str(uuid.uuid4())
MALFORMED_IDS = ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g"]
Outbox = Callable[[], list[dict[str, Any]]]

# Bodies every write refuses, with the field the 422 names.
INVALID_NAMES: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name"),
    ({"name": "   \t "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "nul\x00inside"}, "name"),
    # Zero-width and bidi controls only: nothing a reader could see.
    ({"name": "\u200b\u202e\u2066\u200d"}, "name"),
    ({"name": " \ufeff\u00ad "}, "name"),
    ({"name": 42}, "name"),
    ({"name": None}, "name"),
    ({"email": "new@example.com"}, "email"),
    ({"id": str(uuid.uuid4())}, "id"),
    ({"created_at": "2030-01-01T00:00:00Z"}, "created_at"),
    ({"role": "admin"}, "role"),
]
INVALID_NAME_IDS = [f"{field}={str(body)[:30]}" for body, field in INVALID_NAMES]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def deleted_events(outbox: Outbox) -> list[dict[str, Any]]:
    return [row for row in outbox() if row["event_type"] == "user.deleted"]


class TestReadOwnProfile:
    def test_first_call_creates_the_profile_from_the_token(self, alice: ApiUser) -> None:
        response = alice.request("GET", ME)

        assert response.status_code == 200
        profile = response.json()
        assert set(profile) == {"id", "email", "name", "created_at", "updated_at"}
        assert profile["id"] == str(alice.id)
        assert profile["email"] == alice.email
        # No name claim: the email's local part stands in until the registration arrives.
        assert profile["name"] == alice.email.split("@")[0]
        assert profile["created_at"] == profile["updated_at"]
        assert profile["created_at"].endswith("Z") or profile["created_at"].endswith("+00:00")

    def test_name_claim_is_used_when_present(
        self, client: TestClient, make_token: TokenFactory
    ) -> None:
        user_id = uuid.uuid4()
        token = make_token(user_id, email="grace@example.com", name="Grace Hopper")

        response = client.get(ME, headers=bearer(token))

        assert response.json()["name"] == "Grace Hopper"

    def test_later_calls_return_the_same_profile(self, alice: ApiUser) -> None:
        first = alice.me()

        assert alice.me() == first

    def test_concurrent_first_calls_create_one_profile(self, alice: ApiUser) -> None:
        answers: list[dict[str, Any]] = []
        barrier = threading.Barrier(8)

        def call() -> None:
            barrier.wait()
            answers.append(alice.me())

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert len(answers) == 8
        assert all(answer == answers[0] for answer in answers)
        assert alice.me() == answers[0]

    def test_registered_profile_is_returned(self, client: TestClient, alice: ApiUser) -> None:
        send_event(client, "user.registered", registration(alice.id, name="Alice Liddell"))

        profile = alice.me()

        assert profile["name"] == "Alice Liddell"
        assert profile["created_at"] == "2020-01-02T03:04:05Z"

    def test_without_token_is_401(self, client: TestClient) -> None:
        assert_unauthorized(client.get(ME))

    @pytest.mark.parametrize(
        "overrides",
        [
            {"lifetime": timedelta(seconds=-60)},
            {"secret": "another-secret-0123456789abcdef-0123456789"},
            {"audience": "users"},
        ],
        ids=["expired", "forged", "wrong-audience"],
    )
    def test_invalid_token_is_401(
        self, client: TestClient, make_token: TokenFactory, overrides: dict[str, Any]
    ) -> None:
        assert_unauthorized(client.get(ME, headers=bearer(make_token(**overrides))))

    def test_service_token_is_401(self, client: TestClient) -> None:
        token = mint_service_token("auth", "todo-platform")

        assert_unauthorized(client.get(ME, headers=bearer(token)))

    def test_token_without_email_is_401_and_creates_nothing(
        self, client: TestClient, make_token: TokenFactory, admin: ApiUser
    ) -> None:
        user_id = uuid.uuid4()

        assert_unauthorized(client.get(ME, headers=bearer(make_token(user_id, email=None))))
        assert_problem(admin.request("GET", user_path(user_id)), 404)

    def test_deleted_account_is_401_and_not_recreated(self, alice: ApiUser) -> None:
        alice.me()
        assert alice.request("DELETE", ME).status_code == 204

        body = assert_unauthorized(alice.request("GET", ME))

        assert body["detail"] == "This account has been deleted"


class TestUpdateOwnProfile:
    def test_changes_the_name_trimmed(self, alice: ApiUser) -> None:
        before = alice.me()

        response = alice.request("PATCH", ME, json={"name": "  Alice Liddell  "})

        assert response.status_code == 200
        after = response.json()
        assert after["name"] == "Alice Liddell"
        assert after["email"] == before["email"]
        assert after["created_at"] == before["created_at"]
        assert after["updated_at"] > before["updated_at"]
        assert alice.me() == after

    def test_works_before_the_profile_exists(self, alice: ApiUser) -> None:
        response = alice.request("PATCH", ME, json={"name": "Early Bird"})

        assert response.status_code == 200
        assert response.json()["name"] == "Early Bird"

    def test_empty_body_changes_nothing(self, alice: ApiUser) -> None:
        before = alice.me()

        response = alice.request("PATCH", ME, json={})

        assert response.status_code == 200
        assert response.json() == before

    @pytest.mark.parametrize(("body", "field"), INVALID_NAMES, ids=INVALID_NAME_IDS)
    def test_invalid_body_is_422_and_changes_nothing(
        self, alice: ApiUser, body: dict[str, Any], field: str
    ) -> None:
        before = alice.me()

        assert_validation_problem(alice.request("PATCH", ME, json=body), "body", field)
        assert alice.me() == before

    def test_without_token_is_401(self, client: TestClient) -> None:
        assert_unauthorized(client.patch(ME, json={"name": "Nobody"}))


class TestDeleteOwnProfile:
    def test_a_registration_racing_the_deletion_cannot_bring_the_profile_back(
        self, alice: ApiUser, settings: UsersSettings
    ) -> None:
        # user.registered being applied (paused before its commit) while the user deletes
        # their account: the deletion waits for it, then removes what it wrote.
        engine = create_db_engine(settings)
        answers: list[int] = []
        try:
            with Session(engine) as event:
                profiles.record_registration(
                    event, registered=UserRegistered.model_validate(registration(alice.id))
                )
                deletion = threading.Thread(
                    target=lambda: answers.append(alice.request("DELETE", ME).status_code)
                )
                deletion.start()
                deletion.join(timeout=1)
                assert answers == []  # waiting for the event's transaction
                event.commit()
            deletion.join(timeout=10)
        finally:
            engine.dispose()

        assert answers == [204]
        assert_problem(alice.request("GET", ME), 401)

    def test_deletes_the_profile_and_announces_it_to_auth_and_todos(
        self, alice: ApiUser, admin: ApiUser, outbox: Outbox
    ) -> None:
        alice.me()

        response = alice.request("DELETE", ME)

        assert response.status_code == 204
        assert response.content == b""
        assert_problem(admin.request("GET", user_path(alice.id)), 404)
        events = deleted_events(outbox)
        assert [event["subscriber"] for event in events] == ["auth", "todos"]
        assert {event["payload"]["user_id"] for event in events} == {str(alice.id)}
        # One event, one id for both subscribers: consumers deduplicate on it.
        assert len({event["event_id"] for event in events}) == 1
        assert all(event["delivered_at"] is None for event in events)

    def test_works_before_the_profile_exists(self, alice: ApiUser, outbox: Outbox) -> None:
        assert alice.request("DELETE", ME).status_code == 204

        assert len(deleted_events(outbox)) == 2

    def test_second_delete_is_401_and_announces_nothing_more(
        self, alice: ApiUser, outbox: Outbox
    ) -> None:
        alice.request("DELETE", ME)

        assert_unauthorized(alice.request("DELETE", ME))
        assert len(deleted_events(outbox)) == 2

    def test_late_registration_does_not_bring_the_profile_back(
        self, client: TestClient, alice: ApiUser, admin: ApiUser
    ) -> None:
        alice.request("DELETE", ME)

        assert send_event(client, "user.registered", registration(alice.id)).status_code == 204

        assert_problem(admin.request("GET", user_path(alice.id)), 404)
        assert_unauthorized(alice.request("GET", ME))

    def test_other_profiles_stay(self, alice: ApiUser, bob: ApiUser) -> None:
        bobs = bob.me()

        alice.request("DELETE", ME)

        assert bob.me() == bobs

    def test_without_token_is_401(self, client: TestClient, outbox: Outbox) -> None:
        assert_unauthorized(client.delete(ME))
        assert outbox() == []


class TestListProfiles:
    def test_lists_every_profile_oldest_first(
        self, admin: ApiUser, alice: ApiUser, bob: ApiUser
    ) -> None:
        expected = [alice.me(), bob.me(), admin.me()]

        page = admin.list_page()

        assert page == {"items": expected, "next_cursor": None}

    def test_trailing_slash_answers_the_same_without_redirect(
        self, admin: ApiUser, alice: ApiUser
    ) -> None:
        alice.me()

        slashed = admin.request("GET", f"{USERS}/")

        assert slashed.status_code == 200
        assert slashed.json() == admin.list_page()

    def test_paging_returns_each_profile_once_while_users_sign_up(
        self, client: TestClient, make_token: TokenFactory, admin: ApiUser
    ) -> None:
        user_ids = [uuid.uuid4() for _ in range(12)]
        for user_id in user_ids:
            send_event(client, "user.registered", registration(user_id))
        first = admin.list_page(limit=5)
        # Signing up while the admin pages: the newcomer shows up on a later page, once.
        latecomer = uuid.uuid4()
        client.get(ME, headers=bearer(make_token(latecomer, email="late@example.com")))

        rest = admin.list_all(limit=5, cursor=first["next_cursor"])

        seen = [profile["id"] for profile in first["items"] + rest]
        assert len(seen) == len(set(seen))
        # Registrations share a registered_at: ties are broken by id.
        assert seen[:12] == sorted(str(user_id) for user_id in user_ids)
        assert set(seen) == {*map(str, user_ids), str(latecomer)}
        assert seen[-1] == str(latecomer)

    def test_default_page_holds_20(self, client: TestClient, admin: ApiUser) -> None:
        for _ in range(21):
            send_event(client, "user.registered", registration(uuid.uuid4()))

        page = admin.list_page()

        assert len(page["items"]) == 20
        assert page["next_cursor"] is not None

    def test_q_matches_name_or_email_case_insensitively(
        self, client: TestClient, admin: ApiUser
    ) -> None:
        by_name, by_email, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        send_event(client, "user.registered", registration(by_name, name="Ada LOVELACE"))
        send_event(
            client,
            "user.registered",
            registration(by_email, name="Someone", email="lovelace.fan@example.com"),
        )
        send_event(client, "user.registered", registration(other, name="Grace Hopper"))

        ids = {profile["id"] for profile in admin.list_all(q="loveLace")}

        assert ids == {str(by_name), str(by_email)}

    @pytest.mark.parametrize("wildcard", ["%", "_", "\\"])
    def test_q_matches_like_wildcards_literally(
        self, client: TestClient, admin: ApiUser, wildcard: str
    ) -> None:
        literal, decoy = uuid.uuid4(), uuid.uuid4()
        send_event(client, "user.registered", registration(literal, name=f"50{wildcard} off"))
        send_event(client, "user.registered", registration(decoy, name="500 off"))

        assert [profile["id"] for profile in admin.list_all(q=f"50{wildcard}")] == [str(literal)]

    @pytest.mark.parametrize(
        ("params", "loc"),
        [
            ({"limit": 0}, ("query", "limit")),
            ({"limit": 101}, ("query", "limit")),
            ({"limit": "ten"}, ("query", "limit")),
            ({"q": ""}, ("query", "q")),
            ({"q": "a\x00b"}, ("query", "q")),
            ({"q": "x" * 101}, ("query", "q")),
            ({"cursor": "not-a-cursor"}, ("query", "cursor")),
            ({"cursor": "eyJpZCI6IDV9"}, ("query", "cursor")),
            # Out of range once in UTC.
            (
                {
                    "cursor": encode_cursor(
                        {"created_at": "0001-01-01T00:00:00+01:00", "id": ANY_ID}
                    )
                },
                ("query", "cursor"),
            ),
        ],
        ids=lambda value: str(value)[:30],
    )
    def test_invalid_query_is_422(
        self, admin: ApiUser, params: dict[str, Any], loc: tuple[str, ...]
    ) -> None:
        assert_validation_problem(admin.request("GET", USERS, params=params), *loc)

    def test_a_cursor_offset_postgresql_refuses_still_names_a_moment(self, admin: ApiUser) -> None:
        # Python reads offsets up to ±23:59, PostgreSQL only to ±15:59 (it used to be a 500).
        cursor = encode_cursor({"created_at": "2000-01-01T00:00:00+16:00", "id": ANY_ID})

        response = admin.request("GET", USERS, params={"cursor": cursor})

        assert response.status_code == 200, response.text
        assert response.json()["next_cursor"] is None

    def test_user_is_403(self, alice: ApiUser) -> None:
        assert_problem(alice.request("GET", USERS), 403)

    def test_without_token_is_401(self, client: TestClient) -> None:
        assert_unauthorized(client.get(USERS))


class TestReadProfile:
    def test_own_profile_by_id(self, alice: ApiUser) -> None:
        response = alice.request("GET", user_path(alice.id))

        assert response.status_code == 200
        assert response.json() == alice.me()

    def test_admin_reads_anyone(self, admin: ApiUser, alice: ApiUser) -> None:
        profile = alice.me()

        response = admin.request("GET", user_path(alice.id))

        assert response.status_code == 200
        assert response.json() == profile

    def test_other_users_profile_is_403(self, alice: ApiUser, bob: ApiUser) -> None:
        bob.me()

        assert_problem(alice.request("GET", user_path(bob.id)), 403)

    def test_other_missing_id_is_403_too_for_a_user(self, alice: ApiUser) -> None:
        # A user learns nothing about which ids exist.
        assert_problem(alice.request("GET", user_path(MISSING_ID)), 403)

    def test_missing_is_404_for_an_admin(self, admin: ApiUser) -> None:
        body = assert_problem(admin.request("GET", user_path(MISSING_ID)), 404)

        assert body["detail"] == "User not found"

    @pytest.mark.parametrize("malformed", MALFORMED_IDS)
    def test_malformed_id_is_422(self, admin: ApiUser, malformed: str) -> None:
        assert_validation_problem(admin.request("GET", user_path(malformed)), "path", "user_id")

    def test_without_token_is_401(self, client: TestClient, alice: ApiUser) -> None:
        assert_unauthorized(client.get(user_path(alice.id)))


class TestReplaceProfile:
    def test_admin_replaces_the_editable_fields(self, admin: ApiUser, alice: ApiUser) -> None:
        before = alice.me()

        response = admin.request("PUT", user_path(alice.id), json={"name": " New Name "})

        assert response.status_code == 200
        after = response.json()
        assert after["name"] == "New Name"
        assert after["email"] == before["email"]
        assert after["created_at"] == before["created_at"]
        assert after["updated_at"] > before["updated_at"]
        assert alice.me() == after

    @pytest.mark.parametrize("who", ["alice", "admin"])
    def test_put_on_me_is_405_not_an_attempt_on_an_id(
        self, request: pytest.FixtureRequest, who: str
    ) -> None:
        caller: ApiUser = request.getfixturevalue(who)

        response = caller.request("PUT", ME, json={"name": "Whoever"})

        assert_problem(response, 405)
        assert "PUT" not in response.headers["allow"]

    def test_name_is_required(self, admin: ApiUser, alice: ApiUser) -> None:
        alice.me()

        assert_validation_problem(
            admin.request("PUT", user_path(alice.id), json={}), "body", "name"
        )

    @pytest.mark.parametrize(("body", "field"), INVALID_NAMES, ids=INVALID_NAME_IDS)
    def test_invalid_body_is_422_and_changes_nothing(
        self, admin: ApiUser, alice: ApiUser, body: dict[str, Any], field: str
    ) -> None:
        before = alice.me()

        response = admin.request("PUT", user_path(alice.id), json={"name": "Valid", **body})

        assert_validation_problem(response, "body", field)
        assert alice.me() == before

    def test_user_is_403_even_for_their_own(self, alice: ApiUser) -> None:
        before = alice.me()

        assert_problem(alice.request("PUT", user_path(alice.id), json={"name": "Me"}), 403)
        assert alice.me() == before

    def test_missing_is_404(self, admin: ApiUser) -> None:
        assert_problem(admin.request("PUT", user_path(MISSING_ID), json={"name": "Ghost"}), 404)

    def test_without_token_is_401(self, client: TestClient, alice: ApiUser) -> None:
        assert_unauthorized(client.put(user_path(alice.id), json={"name": "Anyone"}))


class TestUpdateProfile:
    def test_user_changes_their_own(self, alice: ApiUser) -> None:
        response = alice.request("PATCH", user_path(alice.id), json={"name": "Alice L."})

        assert response.status_code == 200
        assert response.json()["name"] == "Alice L."
        assert alice.me()["name"] == "Alice L."

    def test_admin_changes_anyones(self, admin: ApiUser, alice: ApiUser) -> None:
        alice.me()

        response = admin.request("PATCH", user_path(alice.id), json={"name": "Renamed"})

        assert response.status_code == 200
        assert alice.me()["name"] == "Renamed"

    def test_other_users_profile_is_403_and_unchanged(self, alice: ApiUser, bob: ApiUser) -> None:
        before = bob.me()

        assert_problem(alice.request("PATCH", user_path(bob.id), json={"name": "Hacked"}), 403)
        assert bob.me() == before

    def test_missing_is_404_for_an_admin(self, admin: ApiUser) -> None:
        assert_problem(admin.request("PATCH", user_path(MISSING_ID), json={"name": "X"}), 404)

    @pytest.mark.parametrize(("body", "field"), INVALID_NAMES, ids=INVALID_NAME_IDS)
    def test_invalid_body_is_422_and_changes_nothing(
        self, alice: ApiUser, body: dict[str, Any], field: str
    ) -> None:
        before = alice.me()

        assert_validation_problem(
            alice.request("PATCH", user_path(alice.id), json=body), "body", field
        )
        assert alice.me() == before

    def test_without_token_is_401(self, client: TestClient, alice: ApiUser) -> None:
        assert_unauthorized(client.patch(user_path(alice.id), json={"name": "Anyone"}))


class TestDeleteProfile:
    def test_admin_deletes_and_announces_it(
        self, admin: ApiUser, alice: ApiUser, outbox: Outbox
    ) -> None:
        alice.me()

        response = admin.request("DELETE", user_path(alice.id))

        assert response.status_code == 204
        assert_problem(admin.request("GET", user_path(alice.id)), 404)
        assert_unauthorized(alice.request("GET", ME))
        events = deleted_events(outbox)
        assert [event["subscriber"] for event in events] == ["auth", "todos"]
        assert {event["payload"]["user_id"] for event in events} == {str(alice.id)}

    def test_second_delete_is_404(self, admin: ApiUser, alice: ApiUser, outbox: Outbox) -> None:
        alice.me()
        admin.request("DELETE", user_path(alice.id))

        assert_problem(admin.request("DELETE", user_path(alice.id)), 404)
        assert len(deleted_events(outbox)) == 2

    def test_user_is_403_even_for_their_own(self, alice: ApiUser, outbox: Outbox) -> None:
        profile = alice.me()

        assert_problem(alice.request("DELETE", user_path(alice.id)), 403)
        assert alice.me() == profile
        assert outbox() == []

    def test_missing_is_404(self, admin: ApiUser, outbox: Outbox) -> None:
        assert_problem(admin.request("DELETE", user_path(MISSING_ID)), 404)
        assert outbox() == []

    @pytest.mark.parametrize("malformed", MALFORMED_IDS)
    def test_malformed_id_is_422(self, admin: ApiUser, malformed: str) -> None:
        assert_validation_problem(admin.request("DELETE", user_path(malformed)), "path", "user_id")

    def test_without_token_is_401(self, client: TestClient, alice: ApiUser) -> None:
        assert_unauthorized(client.delete(user_path(alice.id)))
