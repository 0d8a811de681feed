"""The events this service consumes, each applied through `todo_common.events.consumer`."""

from typing import Any

from sqlmodel import Session

from auth.schemas.events import USER_DELETED, UserDeleted
from auth.services.accounts import delete_account
from todo_common.events.consumer import EventHandler


def handle_user_deleted(session: Session, payload: dict[str, Any]) -> None:
    delete_account(session, account_id=UserDeleted.model_validate(payload).user_id)


EVENT_HANDLERS: dict[str, EventHandler] = {USER_DELETED: handle_user_deleted}
