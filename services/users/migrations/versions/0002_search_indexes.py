"""Trigram indexes for the admin list's `q` (name, email), where pg_trgm is available.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

from todo_common.search import create_trigram_indexes, drop_trigram_indexes

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "users"
COLUMNS = ["name", "email"]


def upgrade() -> None:
    create_trigram_indexes(op, schema=SCHEMA, table="profile", columns=COLUMNS)


def downgrade() -> None:
    drop_trigram_indexes(op, schema=SCHEMA, table="profile", columns=COLUMNS)
