"""Alembic environment of the auth service (the shared logic is in todo_common.migrations)."""

from alembic import context
from sqlmodel import SQLModel

import auth.models  # noqa: F401 - registers the tables on SQLModel.metadata
from auth import SCHEMA
from auth.core.config import AuthMigrationSettings
from todo_common.migrations import run_migrations
from todo_common.settings import load_settings

# The tests hand their settings over; a deployment reads them from the environment.
settings = context.config.attributes.get("settings") or load_settings(AuthMigrationSettings)
run_migrations(SQLModel.metadata, settings, model_schema=SCHEMA)
