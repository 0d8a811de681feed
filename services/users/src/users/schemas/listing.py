"""The query string of `GET /users`."""

from typing import Annotated

from pydantic import BaseModel, Field

from todo_common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from todo_common.search import SearchText


class ProfileListQuery(BaseModel):
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE
    cursor: Annotated[str | None, Field(max_length=512)] = None
    q: Annotated[
        SearchText | None, Field(description="Case-insensitive substring of name or email.")
    ] = None
