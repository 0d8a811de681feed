"""The events this service consumes, each applied through `todo_common.events.consumer`."""

from typing import Any

from sqlmodel import Session

from todo_common.events.consumer import EventHandler
from users.schemas.events import USER_REGISTERED, UserRegistered
from users.services.profiles import record_registration


def handle_user_registered(session: Session, payload: dict[str, Any]) -> None:
    record_registration(session, registered=UserRegistered.model_validate(payload))


EVENT_HANDLERS: dict[str, EventHandler] = {USER_REGISTERED: handle_user_registered}
