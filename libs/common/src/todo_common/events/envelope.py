"""What travels between services: the envelope a relay POSTs to `/internal/events`."""

import uuid
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# Where every consumer receives events, outside the public `/api/v1` prefix.
EVENTS_PATH = "/internal/events"


class EventEnvelope(BaseModel):
    """One event. `id` is the same for every subscriber; consumers deduplicate on it."""

    # Unknown envelope fields are ignored, so a producer can add one before every consumer
    # knows it. The payload's own rules are each handler's business.
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    type: Annotated[str, Field(min_length=1, max_length=100)]
    occurred_at: AwareDatetime
    payload: dict[str, Any]
