"""Case-insensitive substring search: the `q` parameter's type and its LIKE pattern."""

from typing import Annotated

from pydantic import StringConstraints

from todo_common.fields import PLAIN_TEXT_PATTERN, StorableText

SearchText = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=PLAIN_TEXT_PATTERN), StorableText
]


def contains_pattern(text: str) -> str:
    """A pattern for `ilike(..., escape="\\\\")` matching values that contain `text` literally."""
    # The user searches for text, not for LIKE patterns.
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
