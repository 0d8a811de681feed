"""The events this service consumes, each applied through `todo_common.events.consumer`."""

from typing import Any

from sqlmodel import Session

from todo_common.events.consumer import EventHandler
from todos.schemas.events import USER_DELETED, UserDeleted
from todos.services.owners import erase_owner


def handle_user_deleted(session: Session, payload: dict[str, Any]) -> None:
    erase_owner(session, owner_id=UserDeleted.model_validate(payload).user_id)


EVENT_HANDLERS: dict[str, EventHandler] = {USER_DELETED: handle_user_deleted}
