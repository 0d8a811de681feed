"""The data a run works on: accounts made through the API, todos inserted in bulk."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg2
from jose import jwt

from todos.models import Priority
from todos.schemas.listing import TodoSort
from todos.schemas.todo import TodoPublic
from todos.services.listing import cursor_after

BATCH_ROWS = 100_000
# The most todos sampled for reads, and as many again for PATCHes.
READ_SAMPLE = 20_000
# write_versions: how often, and how far apart, it reads until the versions stop moving.
VERSION_READS = 20
VERSION_SETTLE_SECONDS = 0.5
# How deep the deep page starts, as a share of the owner's todos.
DEEP_SHARE = 0.9


@dataclass
class Account:
    email: str
    password: str
    user_id: uuid.UUID | None = None

    @property
    def id(self) -> uuid.UUID:
        if self.user_id is None:
            raise RuntimeError(f"{self.email} has no id yet")
        return self.user_id


@dataclass(frozen=True)
class Owner:
    account: Account
    todos: int
    deep_cursor: str


def register(client: httpx.Client, gateway_url: str, label: str) -> Account:
    account = Account(f"bench-{label}@example.com", secrets.token_urlsafe(16))
    response = client.post(
        f"{gateway_url}/api/v1/auth/register",
        json={"email": account.email, "password": account.password, "name": f"Bench {label}"},
    )
    response.raise_for_status()
    account.user_id = uuid.UUID(response.json()["id"])
    return account


def access_token(client: httpx.Client, gateway_url: str, account: Account) -> str:
    """A fresh access token (they live minutes; a full run takes longer)."""
    response = client.post(
        f"{gateway_url}/api/v1/auth/login",
        data={"username": account.email, "password": account.password},
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    if account.user_id is None:
        account.user_id = uuid.UUID(jwt.get_unverified_claims(token)["sub"])
    return token


def insert_todos(admin_url: str, owner: uuid.UUID, count: int, say: Callable[[str], None]) -> None:
    """`count` todos for `owner`, set-based in batches: a third done, a third undated,
    created 30 s apart over the past months, as a busy user's list would look."""
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            for first in range(1, count + 1, BATCH_ROWS):
                last = min(first + BATCH_ROWS - 1, count)
                cursor.execute(
                    """
                    INSERT INTO todos.todo (id, owner_id, title, description, completed,
                                            priority, due_at, created_at, updated_at, version)
                    SELECT gen_random_uuid(), %(owner)s, 'Seeded todo ' || n,
                           CASE WHEN n %% 4 = 0 THEN 'Notes on seeded todo ' || n END,
                           n %% 3 = 0,
                           (ARRAY['low', 'medium', 'high'])[1 + n %% 3],
                           CASE WHEN n %% 3 <> 1
                                THEN now() + make_interval(days => (n %% 365)::int) END,
                           now() - make_interval(secs => n * 30.0),
                           now() - make_interval(secs => n * 30.0),
                           1
                    FROM generate_series(%(first)s, %(last)s) AS n
                    """,
                    {"owner": str(owner), "first": first, "last": last},
                )
                rate = last / max(time.monotonic() - started, 1e-3)
                say(f"  todos for {owner}: {last:,}/{count:,} ({rate:,.0f} rows/s)")
            cursor.execute("ANALYZE todos.todo")
    finally:
        connection.close()


def deep_cursor(admin_url: str, owner: uuid.UUID, count: int) -> str:
    """The cursor of the page that starts DEEP_SHARE into the owner's newest-first list."""
    connection = psycopg2.connect(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, created_at FROM todos.todo WHERE owner_id = %s"
                " ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1",
                (str(owner), int(count * DEEP_SHARE)),
            )
            row = cursor.fetchone()
    finally:
        connection.close()
    if row is None:
        raise RuntimeError(f"owner {owner} has fewer todos than expected")
    todo_id, created_at = row
    position = TodoPublic(
        id=todo_id,
        title="position",
        description=None,
        completed=False,
        priority=Priority.MEDIUM,
        due_at=None,
        created_at=created_at,
        updated_at=created_at,
    )
    return cursor_after(position, TodoSort.NEWEST_FIRST)


def choose_samples(
    admin_url: str, owner: uuid.UUID, todos: int, folder: Path
) -> tuple[Path, list[str]]:
    """Two disjoint random samples of the owner's todos: a file of ids to read, and the ids
    to PATCH (their versions change, so `write_versions` reads them before each run)."""
    size = min(READ_SAMPLE, todos // 2)
    connection = psycopg2.connect(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM todos.todo WHERE owner_id = %s ORDER BY md5(id::text) LIMIT %s",
                (str(owner), 2 * size),
            )
            ids = [str(row[0]) for row in cursor.fetchall()]
    finally:
        connection.close()
    reads = folder / "read-ids.txt"
    reads.write_text("".join(f"{todo_id}\n" for todo_id in ids[:size]))
    return reads, ids[size:]


def write_versions(admin_url: str, ids: list[str], path: Path) -> Path:
    """Lines "<id> <version>" with each todo's version now: the If-Match the Lua sends.

    wrk exits at its deadline with PATCHes still in flight, and the service finishes them
    after the client has gone: versions read at once can be stale by those, and the next
    run would see 412s. So read until two reads a moment apart agree (bounded).
    """
    connection = psycopg2.connect(admin_url)
    try:
        with connection.cursor() as cursor:
            rows: list[tuple[Any, ...]] = []
            for _ in range(VERSION_READS):
                cursor.execute(
                    "SELECT id, version FROM todos.todo WHERE id = ANY(%s::uuid[]) ORDER BY id",
                    (ids,),
                )
                latest = cursor.fetchall()
                if latest == rows:
                    break
                rows = latest
                time.sleep(VERSION_SETTLE_SECONDS)
    finally:
        connection.close()
    path.write_text("".join(f"{todo_id} {version}\n" for todo_id, version in rows))
    return path
