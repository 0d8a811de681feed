"""The payloads of the events this service consumes."""

import uuid

from pydantic import BaseModel

USER_DELETED = "user.deleted"


class UserDeleted(BaseModel):
    """Published by users when a user is deleted: the account and its sessions must go."""

    user_id: uuid.UUID
