"""The query string of `GET /users`."""

from typing import Annotated

from pydantic import Field

from todo_common.pagination import PageQuery
from todo_common.search import SearchText


class ProfileListQuery(PageQuery):
    q: Annotated[
        SearchText | None, Field(description="Case-insensitive substring of name or email.")
    ] = None
