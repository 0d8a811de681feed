"""Dependencies of the users routes."""

import uuid
from typing import Annotated

from fastapi import Path
from starlette.convertors import StringConvertor, register_url_convertor

UserId = Annotated[uuid.UUID, Path(description="The user's id (their account id).")]


class _NotMeConvertor(StringConvertor):
    # Any path segment but `me`: so `/users/me` is only ever the caller's own profile, and
    # a method it lacks (PUT) is a 405 naming the methods it has, not an attempt to read
    # "me" as an id (a 403 for users, a 422 for admins). Other non-ids still reach the
    # handler, which answers 422 as before.
    regex = "(?!me$)[^/]+"


register_url_convertor("not_me", _NotMeConvertor())

# The path of one user: `/{user_id:not_me}` (the OpenAPI document shows `/{user_id}`).
USER_PATH = "/{user_id:not_me}"
