"""Benchmark: the todos list query at a million rows (`make bench`).

Seeds a throwaway embedded PostgreSQL with 1,000,000 todos (one heavy user owning 500,000 of
them, the rest spread over 5,000 users), then pages through the heavy user's todos over HTTP
(in-process ASGI client, the real app and session) with each sort order, first pages and
pages deep in the keyset, and reports latency percentiles and the query plan PostgreSQL
chose. Nothing is asserted: the numbers are for people to read and compare.
"""

import resource
import statistics
import tempfile
import time
import uuid
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

import psycopg2  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from todo_common.embedded_postgres import EmbeddedPostgres, free_port  # noqa: E402
from todo_common.security.tokens import mint_token  # noqa: E402
from todo_common.testing.harness import TEST_JWT_SECRET, service_settings_values  # noqa: E402
from todos.core.config import TodosSettings  # noqa: E402
from todos.main import build_app  # noqa: E402
from todos.models import Todo  # noqa: E402
from todos.schemas.listing import TodoSort  # noqa: E402
from todos.services.listing import cursor_after  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TOTAL_ROWS = 1_000_000
HEAVY_USER_ROWS = 500_000
OTHER_USERS = 5_000
REQUESTS_PER_CASE = 200
DEEP_ROW = 200_000
# A third of the heavy user's todos are undated and sort last: this lands among them.
UNDATED_ROW = 400_000


def seed(admin_url: str, heavy_user: uuid.UUID) -> float:
    started = time.perf_counter()
    connection = psycopg2.connect(admin_url)
    with connection, connection.cursor() as cursor:
        # One set-based insert: ids random, creation times spread over a year, a third
        # undated, due dates colliding often (to exercise the id tie-break).
        cursor.execute(
            """
            INSERT INTO todos.todo (id, owner_id, title, description, completed, priority,
                                    due_at, created_at, updated_at, version)
            SELECT gen_random_uuid(),
                   CASE WHEN n <= %(heavy)s THEN %(owner)s::uuid
                        ELSE ('00000000-0000-4000-8000-'
                              || lpad((n %% %(others)s)::text, 12, '0'))::uuid
                   END,
                   'todo ' || n, CASE WHEN n %% 4 = 0 THEN 'about ' || n END, n %% 3 = 0,
                   (ARRAY['low','medium','high'])[1 + n %% 3],
                   CASE WHEN n %% 3 = 0 THEN NULL
                        ELSE now() + ((n %% 500) || ' hours')::interval END,
                   now() - (n || ' seconds')::interval, now(), 1
            FROM generate_series(1, %(total)s) AS n
            """,
            {
                "heavy": HEAVY_USER_ROWS,
                "owner": str(heavy_user),
                "others": OTHER_USERS,
                "total": TOTAL_ROWS,
            },
        )
        cursor.execute("ANALYZE todos.todo")
    connection.close()
    return time.perf_counter() - started


def deep_cursor(client: TestClient, owner: uuid.UUID, sort: TodoSort, rows_deep: int) -> str:
    """The cursor a client would hold after paging `rows_deep` rows, without paging there."""
    ordering = {
        TodoSort.NEWEST_FIRST: "created_at DESC, id DESC",
        TodoSort.OLDEST_FIRST: "created_at, id",
        TodoSort.DUE_SOONEST: "due_at NULLS LAST, id",
        TodoSort.DUE_LATEST: "due_at DESC NULLS LAST, id DESC",
    }[sort]
    with Session(client.app.state.engine) as session:
        todo = session.exec(
            select(Todo)
            .where(Todo.owner_id == owner)
            .order_by(text(ordering))
            .offset(rows_deep - 1)
            .limit(1)
        ).one()
        return cursor_after(todo, sort)


def measure(
    client: TestClient, headers: dict[str, str], sort: TodoSort, cursor: str | None
) -> list[float]:
    """Latencies (ms) of fetching one page of 20 at `cursor`."""
    timings = []
    for _ in range(REQUESTS_PER_CASE):
        params = {"sort": sort.value, "limit": 20, **({"cursor": cursor} if cursor else {})}
        started = time.perf_counter()
        response = client.get("/api/v1/todos", params=params, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"list failed: {response.status_code} {response.text}")
    return timings


def plan(admin_url: str, owner: uuid.UUID) -> str:
    connection = psycopg2.connect(admin_url)
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) SELECT * FROM todos.todo "
            "WHERE owner_id = %s AND (created_at, id) < (now() - interval '3 days', "
            "'00000000-0000-0000-0000-000000000000'::uuid) "
            "ORDER BY created_at DESC, id DESC LIMIT 21",
            (str(owner),),
        )
        lines = [row[0] for row in cursor.fetchall()]
    connection.close()
    return "\n".join(lines)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="todo-bench-") as folder:
        postgres = EmbeddedPostgres(Path(folder) / "data", free_port())
        postgres.start()
        try:
            urls = postgres.ensure_service_databases(["todos"])
            settings = TodosSettings(
                _env_file=None, **service_settings_values(urls["todos"], "todos")
            )
            config = Config(str(ROOT / "services/todos/alembic.ini"))
            config.attributes["settings"] = settings
            command.upgrade(config, "head")

            heavy_user = uuid.uuid4()
            admin_url = postgres.url(database="todo")
            print(f"seeding {TOTAL_ROWS:,} todos ({HEAVY_USER_ROWS:,} for one user)…", flush=True)
            print(f"  seeded in {seed(admin_url, heavy_user):.1f} s")

            token = mint_token(
                subject=str(heavy_user),
                role="user",
                issuer="todo-auth",
                audience="todo-platform",
                signing_key=TEST_JWT_SECRET,
                algorithm="HS256",
            )
            headers = {"Authorization": f"Bearer {token}"}
            print(
                f"\nGET /api/v1/todos?limit=20, {REQUESTS_PER_CASE} requests per row "
                "(in-process ASGI, one client thread)"
            )
            print(f"{'sort':12} {'page':>12} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
            with TestClient(build_app(settings)) as client:
                for sort in TodoSort:
                    for depth in (0, DEEP_ROW, UNDATED_ROW):
                        cursor = deep_cursor(client, heavy_user, sort, depth) if depth else None
                        timings = measure(client, headers, sort, cursor)
                        label = "first" if depth == 0 else f"row {depth:,}"
                        print(
                            f"{sort.value:12} {label:>12} {statistics.median(timings):8.2f} "
                            f"{percentile(timings, 0.95):8.2f} {max(timings):8.2f}"
                        )
            # The benchmark process holds the app, its pool and the client: an upper bound
            # of what one service process needs for this load.
            peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"\npeak memory of the app process: {peak_mib:.0f} MiB")
            print("\nplan of a deep page (newest first):")
            print(plan(admin_url, heavy_user))
        finally:
            postgres.stop()


if __name__ == "__main__":
    main()
