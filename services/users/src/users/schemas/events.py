"""The events this service consumes and publishes: their names and payloads."""

import uuid
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

USER_REGISTERED = "user.registered"
USER_DELETED = "user.deleted"


class UserRegistered(BaseModel):
    """Published by auth when an account is created."""

    user_id: uuid.UUID
    email: Annotated[str, Field(min_length=3, max_length=320)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    registered_at: AwareDatetime


class UserDeleted(BaseModel):
    user_id: uuid.UUID
