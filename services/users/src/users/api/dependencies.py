"""Dependencies of the users routes."""

import uuid
from typing import Annotated

from fastapi import Path

UserId = Annotated[uuid.UUID, Path(description="The user's id (their account id).")]
