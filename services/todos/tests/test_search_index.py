"""migrations/versions/0003_search_indexes.py: `q` can be answered from trigram indexes."""

from fastapi.testclient import TestClient
from sqlalchemy import text

from todo_common.database import create_db_engine
from todo_common.search import contains_text
from todos.core.config import TodosSettings
from todos.models import Todo


def test_a_search_can_use_the_trigram_indexes(settings: TodosSettings, client: TestClient) -> None:
    # `client` has migrated the database.
    engine = create_db_engine(settings)
    condition = contains_text("plumber", Todo.title, Todo.description)  # type: ignore[arg-type]
    statement = condition.compile(engine, compile_kwargs={"literal_binds": True})
    try:
        with engine.connect() as connection:
            # With scans priced out, the plan shows whether an index can answer ILIKE at all
            # (on a table this small PostgreSQL would rightly scan).
            connection.execute(text("SET enable_seqscan = off"))
            # Compiled from our own expression with literal binds: no outside input.
            explain = text(f"EXPLAIN SELECT id FROM todos.todo WHERE {statement}")  # noqa: S608
            plan = connection.execute(explain).scalars()
            plan_text = "\n".join(plan)
    finally:
        engine.dispose()

    assert "ix_todo_title_trgm" in plan_text
    assert "ix_todo_description_trgm" in plan_text
