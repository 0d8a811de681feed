"""Case-insensitive substring search: the `q` parameter's type, its SQL condition, and the
trigram indexes that make it cheap where the database offers them."""

import logging
from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import ColumnElement, or_, text
from sqlalchemy.orm import Mapped

from todo_common.fields import PLAIN_TEXT_PATTERN, StorableText

logger = logging.getLogger(__name__)

# A search term, not a paragraph: ILIKE's cost grows with the pattern's length times the
# text's, and nobody searches their todos with more than this.
MAX_SEARCH_LENGTH = 100

SearchText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_SEARCH_LENGTH, pattern=PLAIN_TEXT_PATTERN),
    StorableText,
]


def _contains_pattern(text: str) -> str:
    """A pattern for `ilike(..., escape="\\\\")` matching values that contain `text` literally."""
    # The user searches for text, not for LIKE patterns.
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_text(text: str, *columns: Mapped[str] | Mapped[str | None]) -> ColumnElement[bool]:
    """True for rows where any of `columns` contains `text`, case-insensitively."""
    pattern = _contains_pattern(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def create_trigram_indexes(op: Any, *, schema: str, table: str, columns: list[str]) -> None:
    """GIN trigram indexes on `columns`, which `contains_text` can use; call from `upgrade()`.

    Only where pg_trgm is installed and its schema is usable by this role (provisioning
    installs it: docs/operations.md); elsewhere the search stays a scan, bounded by the
    statement timeout, and a warning says so. Built CONCURRENTLY, so writes go on while
    a big table is indexed; IF NOT EXISTS, so a later run adds what an earlier one lacked.
    """
    connection = op.get_bind()
    operator_schema = connection.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm' AND has_schema_privilege(n.nspname, 'USAGE')"
        )
    ).scalar()
    if operator_schema is None:
        logger.warning(
            "pg_trgm is not available to this role: %s.%s keeps no search index", schema, table
        )
        return
    with op.get_context().autocommit_block():
        for column in columns:
            op.create_index(
                f"ix_{table}_{column}_trgm",
                table,
                [column],
                schema=schema,
                postgresql_using="gin",
                postgresql_ops={column: f"{operator_schema}.gin_trgm_ops"},
                postgresql_concurrently=True,
                if_not_exists=True,
            )


def drop_trigram_indexes(op: Any, *, schema: str, table: str, columns: list[str]) -> None:
    """Undo `create_trigram_indexes` (call from `downgrade()`)."""
    for column in columns:
        op.drop_index(f"ix_{table}_{column}_trgm", table_name=table, schema=schema, if_exists=True)
