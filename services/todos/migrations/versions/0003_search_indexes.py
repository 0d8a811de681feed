"""Trigram indexes for `q` (title, description), where pg_trgm is available.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

from todo_common.search import create_trigram_indexes, drop_trigram_indexes

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "todos"
COLUMNS = ["title", "description"]


def upgrade() -> None:
    create_trigram_indexes(op, schema=SCHEMA, table="todo", columns=COLUMNS)


def downgrade() -> None:
    drop_trigram_indexes(op, schema=SCHEMA, table="todo", columns=COLUMNS)
