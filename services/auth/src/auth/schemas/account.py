"""What a client sends and receives for an account."""

import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, StringConstraints

from todo_common.fields import (
    PersonName,
    UtcDatetime,
)

MAX_EMAIL_LENGTH = 254


def _lower_case(email: str) -> str:
    # docs/api.md: emails compare case-insensitively; accounts store them in lower case.
    lowered = email.lower()
    if len(lowered) > MAX_EMAIL_LENGTH:
        raise ValueError(f"must be at most {MAX_EMAIL_LENGTH} characters")
    return lowered


Email = Annotated[EmailStr, AfterValidator(_lower_case)]
# Length only: any character may be part of a password (OWASP: no composition rules).
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password
    name: PersonName


class AccountPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str
    created_at: UtcDatetime


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    new_password: Password
