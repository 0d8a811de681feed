"""Listing profiles for admins: oldest first, keyset paging, substring search.

The order is (created_at, id), so paging returns every matching profile exactly once
even while users sign up, and a page costs the same at any depth.
"""

import uuid
from datetime import datetime

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from todo_common.pagination import cursor_datetime, decode_cursor, encode_cursor, invalid_cursor
from todo_common.search import contains_text
from users.models import Profile
from users.schemas.listing import ProfileListQuery
from users.schemas.profile import ProfilePage, ProfilePublic


def list_profiles(session: Session, *, query: ProfileListQuery) -> ProfilePage:
    statement = select(Profile)
    if query.q is not None:
        statement = statement.where(contains_text(query.q, col(Profile.name), col(Profile.email)))
    if query.cursor is not None:
        created_at, last_id = _position(query.cursor)
        statement = statement.where(
            tuple_(col(Profile.created_at), col(Profile.id)) > tuple_(created_at, last_id)
        )
    statement = statement.order_by(col(Profile.created_at), col(Profile.id))
    # One more than a page tells whether another page follows.
    rows = list(session.exec(statement.limit(query.limit + 1)))
    page, has_more = rows[: query.limit], len(rows) > query.limit
    return ProfilePage(
        items=[ProfilePublic.model_validate(profile) for profile in page],
        next_cursor=_cursor_after(page[-1]) if has_more else None,
    )


def _cursor_after(profile: Profile) -> str:
    return encode_cursor({"created_at": profile.created_at.isoformat(), "id": str(profile.id)})


def _position(cursor: str) -> tuple[datetime, uuid.UUID]:
    position = decode_cursor(cursor)
    raw_created_at, raw_id = position.get("created_at"), position.get("id")
    # A forged cursor can hold any JSON: check the shape before parsing.
    if not isinstance(raw_created_at, str) or not isinstance(raw_id, str):
        raise invalid_cursor()
    try:
        last_id = uuid.UUID(raw_id)
    except ValueError:
        raise invalid_cursor() from None
    created_at = cursor_datetime(raw_created_at)
    return created_at, last_id
