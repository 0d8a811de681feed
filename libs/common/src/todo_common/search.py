"""Case-insensitive substring search: the `q` parameter's type and its SQL condition."""

from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import Mapped

from todo_common.fields import PLAIN_TEXT_PATTERN, StorableText

SearchText = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=PLAIN_TEXT_PATTERN), StorableText
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
