"""The events this service publishes and consumes: their names and payloads."""

import uuid

from pydantic import AwareDatetime, BaseModel

USER_REGISTERED = "user.registered"
USER_DELETED = "user.deleted"


class UserRegistered(BaseModel):
    """Published when an account is created: users makes its profile."""

    user_id: uuid.UUID
    email: str
    name: str
    registered_at: AwareDatetime


class UserDeleted(BaseModel):
    """Published by users when a user is deleted: the account and its sessions must go."""

    user_id: uuid.UUID
