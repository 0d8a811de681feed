"""HTTP routes of `/api/v1/users`: read inputs, call one service function, answer."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from todo_common.database import SessionDep
from todo_common.problem import problem_responses
from todo_common.security.dependencies import AdminUser, CurrentUser
from todo_common.settings import SettingsDep
from users.api.dependencies import UserId
from users.core.config import UsersSettings
from users.schemas.listing import ProfileListQuery
from users.schemas.profile import ProfilePage, ProfilePublic, ProfileReplace, ProfileUpdate
from users.services import listing, profiles

router = APIRouter(tags=["users"])


# `/me` comes before `/{user_id}`, which would otherwise try to read "me" as an id.


@router.get("/me", responses=problem_responses(401))
def read_own_profile(session: SessionDep, user: CurrentUser) -> ProfilePublic:
    """Your profile (created from your token on first use if it is not there yet)."""
    return profiles.get_own_profile(session, principal=user)


@router.patch("/me", responses=problem_responses(401, 422))
def update_own_profile(
    session: SessionDep, user: CurrentUser, changes: ProfileUpdate
) -> ProfilePublic:
    """Change your name."""
    return profiles.update_profile(session, principal=user, user_id=user.user_id, changes=changes)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401))
def delete_own_profile(
    session: SessionDep, user: CurrentUser, settings: SettingsDep[UsersSettings]
) -> None:
    """Delete your account: the profile now, the account and your todos shortly after."""
    profiles.delete_own_profile(
        session, principal=user, subscribers=settings.user_deleted_subscribers
    )


@router.get("", responses=problem_responses(401, 403, 422))
def list_profiles(
    session: SessionDep, admin: AdminUser, query: Annotated[ProfileListQuery, Query()]
) -> ProfilePage:
    """List every profile, oldest first, one page at a time (admins only)."""
    return listing.list_profiles(session, query=query)


@router.get("/{user_id}", responses=problem_responses(401, 403, 404, 422))
def read_profile(user_id: UserId, session: SessionDep, user: CurrentUser) -> ProfilePublic:
    """A user's profile: your own, or anyone's for an admin."""
    return profiles.get_profile_for(session, principal=user, user_id=user_id)


@router.put("/{user_id}", responses=problem_responses(401, 403, 404, 422))
def replace_profile(
    user_id: UserId, data: ProfileReplace, session: SessionDep, admin: AdminUser
) -> ProfilePublic:
    """Replace a user's editable fields (admins only)."""
    return profiles.replace_profile(session, user_id=user_id, data=data)


@router.patch("/{user_id}", responses=problem_responses(401, 403, 404, 422))
def update_profile(
    user_id: UserId, changes: ProfileUpdate, session: SessionDep, user: CurrentUser
) -> ProfilePublic:
    """Change some fields of a profile: your own, or anyone's for an admin."""
    return profiles.update_profile(session, principal=user, user_id=user_id, changes=changes)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
def delete_profile(
    user_id: UserId, session: SessionDep, admin: AdminUser, settings: SettingsDep[UsersSettings]
) -> None:
    """Delete a user: profile, account and todos (admins only)."""
    profiles.delete_profile(session, user_id=user_id, subscribers=settings.user_deleted_subscribers)
