"""The payloads of the events this service consumes."""

import uuid

from pydantic import BaseModel

USER_DELETED = "user.deleted"


class UserDeleted(BaseModel):
    """Published by users when an account is deleted: the user's todos must go."""

    user_id: uuid.UUID
