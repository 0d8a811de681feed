"""Conventions every service's tables follow: constraint names, timestamps."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

# One naming convention, so constraint names in errors and migrations are predictable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

# The schema named by tables that common defines for every service (the event outbox):
# each service's engine maps it onto that service's own schema (see create_db_engine).
SHARED_TABLE_SCHEMA = "service"


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp_field(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column (`timestamptz`), set by the application clock."""
    return Field(default_factory=utc_now, sa_type=DateTime(timezone=True), **kwargs)
