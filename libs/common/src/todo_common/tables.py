"""Conventions every service's tables follow: constraint names, timestamps, enum columns."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum
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


def string_enum(enum_type: type[StrEnum], *, name: str) -> Enum:
    """An enum stored as its values in a short VARCHAR with a CHECK constraint.

    Not a native PostgreSQL ENUM type: adding a member is then an ordinary constraint change
    in a migration, not an `ALTER TYPE ... ADD VALUE`, whose new value cannot be used in the
    transaction that adds it.
    """
    return Enum(
        enum_type,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_type),
        name=name,
        values_callable=lambda members: [member.value for member in members],
    )
