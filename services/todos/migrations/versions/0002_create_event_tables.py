"""Create the event tables (outbox_message, processed_event): todos consumes user.deleted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from todo_common.events.migration import create_event_tables, drop_event_tables

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "todos"


def upgrade() -> None:
    create_event_tables(op, SCHEMA)


def downgrade() -> None:
    drop_event_tables(op, SCHEMA)
