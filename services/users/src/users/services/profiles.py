"""Reading, changing and deleting profiles; creating them from tokens and events."""

import uuid
from collections.abc import Sequence

from sqlalchemy import exists, func, literal
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from todo_common.errors import AccountDeleted
from todo_common.events.outbox import publish
from todo_common.fields import PERSON_NAME_MAX_LENGTH
from todo_common.security.dependencies import Principal
from todo_common.tables import utc_now
from users.models import DeletedUser, Profile
from users.schemas.events import USER_DELETED, UserDeleted, UserRegistered
from users.schemas.profile import ProfilePublic, ProfileReplace, ProfileUpdate
from users.services.errors import (
    NotYourProfile,
    ProfileNotFound,
    TokenWithoutEmail,
)


def get_own_profile(session: Session, *, principal: Principal) -> ProfilePublic:
    """The caller's profile, made from their token's claims if it does not exist yet."""
    return ProfilePublic.model_validate(_own_profile(session, principal))


def get_profile_for(session: Session, *, principal: Principal, user_id: uuid.UUID) -> ProfilePublic:
    """A profile the caller may see: their own, or any for an admin."""
    return ProfilePublic.model_validate(_visible_profile(session, principal, user_id))


def update_profile(
    session: Session, *, principal: Principal, user_id: uuid.UUID, changes: ProfileUpdate
) -> ProfilePublic:
    profile = _visible_profile(session, principal, user_id)
    return _apply(session, profile, changes.model_dump(exclude_unset=True))


def replace_profile(session: Session, *, user_id: uuid.UUID, data: ProfileReplace) -> ProfilePublic:
    profile = _existing_profile(session, user_id)
    return _apply(session, profile, data.model_dump())


def _own_profile(session: Session, principal: Principal) -> Profile:
    """The caller's profile row, made from their token's claims if it does not exist yet.

    auth announces a new account with `user.registered`, but the event may arrive after
    the user's first request: a fresh signup must never see 404.
    """
    # The tombstone is checked in the same statement: a profile a late event wrote back
    # after a deletion must not be served.
    profile = session.exec(
        select(Profile).where(
            Profile.id == principal.user_id,
            ~exists().where(col(DeletedUser.id) == principal.user_id),
        )
    ).first()
    if profile is not None:
        return profile
    _lock_user(session, principal.user_id)
    if _is_deleted(session, principal.user_id):
        raise AccountDeleted()
    if not principal.email:
        raise TokenWithoutEmail()
    name = principal.claims.get("name")
    if not isinstance(name, str) or not name.strip():
        name = principal.email.split("@", 1)[0]
    now = utc_now()
    # The event's insert may race with this one; whichever comes second does nothing.
    session.exec(
        insert(Profile)
        .values(
            id=principal.user_id,
            email=principal.email,
            # A local part longer than a name may be is cut to fit.
            name=name.strip()[:PERSON_NAME_MAX_LENGTH],
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )
    # There now, from this insert or from the one it conflicted with.
    return session.exec(select(Profile).where(Profile.id == principal.user_id)).one()


def _existing_profile(session: Session, user_id: uuid.UUID) -> Profile:
    profile = session.get(Profile, user_id)
    if profile is None:
        raise ProfileNotFound()
    return profile


def _visible_profile(session: Session, principal: Principal, user_id: uuid.UUID) -> Profile:
    # Another user's id is a 403 whether or not it exists, so ids reveal nothing.
    if user_id == principal.user_id:
        return _own_profile(session, principal)
    if not principal.is_admin:
        raise NotYourProfile()
    return _existing_profile(session, user_id)


def delete_own_profile(
    session: Session, *, principal: Principal, subscribers: Sequence[str]
) -> None:
    """Delete the caller's account: profile now, the account and todos through `user.deleted`.

    The profile may not exist yet (its event still on the way); the deletion stands anyway.
    """
    if not _erase(session, principal.user_id, subscribers):
        raise AccountDeleted()


def delete_profile(session: Session, *, user_id: uuid.UUID, subscribers: Sequence[str]) -> None:
    """An admin deletes a user, as the user could themselves."""
    _existing_profile(session, user_id)
    if not _erase(session, user_id, subscribers):
        raise ProfileNotFound()


def record_registration(session: Session, *, registered: UserRegistered) -> None:
    """Create the profile auth announced; fill in one made from a token if never edited."""
    _lock_user(session, registered.user_id)
    if _is_deleted(session, registered.user_id):
        return
    statement = insert(Profile).values(
        id=registered.user_id,
        email=registered.email,
        name=registered.name,
        created_at=registered.registered_at,
        updated_at=registered.registered_at,
    )
    # A profile made from the token before the event arrived may carry a stand-in name
    # (the email's local part); the registration's name replaces it unless the user has
    # changed the profile since.
    session.exec(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={"email": statement.excluded.email, "name": statement.excluded.name},
            where=col(Profile.updated_at) == col(Profile.created_at),
        )
    )


def _apply(session: Session, profile: Profile, values: dict[str, object]) -> ProfilePublic:
    if values:
        for field, value in values.items():
            setattr(profile, field, value)
        profile.updated_at = utc_now()
        session.add(profile)
        session.flush()
    return ProfilePublic.model_validate(profile)


def _erase(session: Session, user_id: uuid.UUID, subscribers: Sequence[str]) -> bool:
    """Delete the profile and announce it, once: False if the user was already deleted."""
    _lock_user(session, user_id)
    # The tombstone goes first: of two concurrent deletions the second waits here for the
    # first to commit, then finds it and announces nothing.
    tombstone = session.exec(
        insert(DeletedUser)
        .values(id=user_id, deleted_at=utc_now())
        .on_conflict_do_nothing(index_elements=["id"])
    )
    if tombstone.rowcount == 0:
        return False
    profile = session.get(Profile, user_id)
    if profile is not None:
        session.delete(profile)
    # In the same transaction as the deletion: both happen, or neither.
    publish(
        session,
        event_type=USER_DELETED,
        payload=UserDeleted(user_id=user_id).model_dump(mode="json"),
        subscribers=subscribers,
    )
    return True


# The first key of the two-key advisory lock: a namespace for this service's user locks.
_USER_LOCK_SPACE = 0x75736572  # "user"


def _lock_user(session: Session, user_id: uuid.UUID) -> None:
    """Serialise what creates or deletes `user_id`'s profile until this transaction ends.

    Deletion, the registration event and a profile made from a token each take it, then
    read the tombstone in a statement of their own, so a registration racing a deletion
    can never write the profile back after the deletion removed it (READ COMMITTED: a
    statement that started before the other's commit would not see its rows). Only these
    rare writes take it; reading a profile checks the tombstone in its own statement.
    """
    session.exec(
        select(func.pg_advisory_xact_lock(_USER_LOCK_SPACE, func.hashtext(literal(str(user_id)))))
    )


def _is_deleted(session: Session, user_id: uuid.UUID) -> bool:
    return session.get(DeletedUser, user_id) is not None
