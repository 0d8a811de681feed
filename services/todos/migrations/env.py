"""Alembic environment of the todos service (the shared logic is in todo_common.migrations)."""

from alembic import context
from sqlmodel import SQLModel

import todos.models  # noqa: F401 - registers the tables on SQLModel.metadata
from todo_common.migrations import run_migrations
from todo_common.settings import load_settings
from todos import SCHEMA
from todos.core.config import TodosSettings

# The tests hand their settings over; a deployment reads them from the environment.
settings = context.config.attributes.get("settings") or load_settings(TodosSettings)
run_migrations(SQLModel.metadata, settings, model_schema=SCHEMA)
