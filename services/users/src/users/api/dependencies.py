"""Dependencies of the users routes."""

import uuid
from typing import Annotated

from fastapi import Path

UserId = Annotated[
    uuid.UUID,
    Path(
        description="The user's id (their account id).",
        examples=["0b6f3a52-2c1d-4e8f-a9b7-5d4c3e2f1a00"],
    ),
]
