"""Accounts: registering, the first admin, changing a password, deleting.

argon2 is slow on purpose (tens of milliseconds, megabytes of memory), so no function here
holds a database connection while it hashes: a session's connection is taken at its first
query, and the functions that verify a password open their own short transactions.
"""

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, delete, select, update

from auth.models import Account, Role
from auth.schemas.account import AccountCreate, AccountPublic, PasswordChange
from auth.schemas.events import USER_REGISTERED, UserRegistered
from auth.services import lockout, refresh_tokens
from auth.services.errors import AccountUnavailable, EmailTaken, IncorrectPassword
from auth.services.passwords import Passwords
from todo_common.database import transaction
from todo_common.events.outbox import publish
from todo_common.tables import utc_now

logger = logging.getLogger(__name__)


def register_account(
    session: Session,
    *,
    data: AccountCreate,
    passwords: Passwords,
    subscribers: Sequence[str],
) -> AccountPublic:
    """A new `user` account, announced as `user.registered` in the same transaction."""
    account = Account(email=data.email, name=data.name, password_hash=passwords.hash(data.password))
    if not _insert_if_email_free(session, account):
        raise EmailTaken()
    _announce(session, account, subscribers)
    return AccountPublic.model_validate(account)


def ensure_first_admin(
    engine: Engine,
    *,
    email: str,
    password: str,
    name: str,
    passwords: Passwords,
    subscribers: Sequence[str],
) -> bool:
    """Create the admin account unless one with `email` exists; True if it was created.

    Safe when several replicas start at once: the unique email lets exactly one insert.
    """
    admin = Account(
        email=email.lower(), name=name, password_hash=passwords.hash(password), role=Role.ADMIN
    )
    with transaction(engine) as session:
        created = _insert_if_email_free(session, admin)
        if created:
            _announce(session, admin, subscribers)
    return created


def find_account(session: Session, *, email: str) -> Account | None:
    return session.exec(select(Account).where(Account.email == email)).first()


def delete_account(session: Session, *, account_id: uuid.UUID) -> None:
    """Remove the account; its refresh tokens go with it (ON DELETE CASCADE). Idempotent."""
    session.exec(delete(Account).where(col(Account.id) == account_id))


def change_password(
    engine: Engine, *, account_id: uuid.UUID, change: PasswordChange, passwords: Passwords
) -> None:
    """Replace the password and revoke every refresh token of the account."""
    # Transaction boundaries are explicit here so no connection waits on argon2 (see above).
    with transaction(engine) as session:
        account = session.get(Account, account_id)
    if account is None or not account.active:
        raise AccountUnavailable()
    matches, _ = passwords.verify(change.current_password, account.password_hash)
    if not matches:
        raise IncorrectPassword()
    new_hash = passwords.hash(change.new_password)
    with transaction(engine) as session:
        # Conditional on the hash just verified: of two concurrent changes made with the
        # same current password, the second finds it changed and is refused.
        changed = session.exec(
            update(Account)
            .where(
                col(Account.id) == account_id, col(Account.password_hash) == account.password_hash
            )
            .values(password_hash=new_hash, updated_at=utc_now())
            .returning(col(Account.id))
        ).first()
        if changed is None:
            raise IncorrectPassword()
        refresh_tokens.revoke_account_tokens(session, account_id=account_id)
        lockout.clear_failures(session, email=account.email)


def _insert_if_email_free(session: Session, account: Account) -> bool:
    # ON CONFLICT instead of check-then-insert: two registrations racing for one email
    # serialise on the unique index, and the second sees the first's row.
    inserted = session.exec(
        insert(Account)
        .values(**account.model_dump())
        .on_conflict_do_nothing(index_elements=[col(Account.email)])
        .returning(col(Account.id))
    ).first()
    return inserted is not None


def _announce(session: Session, account: Account, subscribers: Sequence[str]) -> None:
    publish(
        session,
        event_type=USER_REGISTERED,
        payload=UserRegistered(
            user_id=account.id,
            email=account.email,
            name=account.name,
            registered_at=account.created_at,
        ).model_dump(mode="json"),
        subscribers=subscribers,
    )
