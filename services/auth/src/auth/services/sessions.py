"""Logging in, refreshing and logging out: the life of a refresh-token family.

Login and refresh write state that must survive an error answer (a failed login counts
towards the lockout; a reused refresh token revokes its family), and a request's session
rolls back on any error. So these two commit their own transactions, explicitly, and raise
only afterwards. Login also keeps argon2 outside any transaction (see services.accounts).
"""

from sqlalchemy import Engine
from sqlmodel import Session, col, update

from auth.models import Account
from auth.schemas.account import MAX_EMAIL_LENGTH, email_key
from auth.schemas.tokens import TokenPair
from auth.services import lockout, refresh_tokens
from auth.services.accounts import find_account
from auth.services.errors import InvalidCredentials, InvalidRefreshToken
from auth.services.lockout import LockoutPolicy
from auth.services.passwords import Passwords
from auth.services.tokens import TokenIssuer, issue_token_pair
from todo_common.database import transaction
from todo_common.tables import utc_now


def log_in(
    engine: Engine,
    *,
    username: str,
    password: str,
    passwords: Passwords,
    policy: LockoutPolicy,
    issuer: TokenIssuer,
) -> TokenPair:
    """A new token pair for the right email and password, or the same 401 for any failure.

    An unknown email costs the same argon2 work as a wrong password, and unknown and known
    addresses lock out alike, so neither timing nor lockout tells who has an account.
    """
    email = _login_email(username)
    with transaction(engine) as session:
        if email is not None:
            lockout.ensure_not_locked(session, email=email)
            account = find_account(session, key=email)
        else:
            account = None
    matches, upgraded_hash = passwords.verify(
        password, account.password_hash if account is not None else None
    )
    if not matches or account is None:
        if email is not None:
            with transaction(engine) as session:
                lockout.record_failure(session, email=email, policy=policy)
        raise InvalidCredentials()
    if not account.active:
        raise InvalidCredentials()
    with transaction(engine) as session:
        lockout.clear_failures(session, email=account.email_key)
        if upgraded_hash is not None:
            # The stored hash used other argon2 parameters: keep one made with today's.
            session.exec(
                update(Account)
                .where(col(Account.id) == account.id)
                .values(password_hash=upgraded_hash, updated_at=utc_now())
            )
        return issue_token_pair(session, account=account, issuer=issuer)


def refresh(engine: Engine, *, refresh_token: str, issuer: TokenIssuer) -> TokenPair:
    """Spend `refresh_token` for a new pair in the same family."""
    with transaction(engine) as session:
        pair = _rotate(session, refresh_token, issuer)
    # Raised after the commit, so a reused token's family stays revoked.
    if pair is None:
        raise InvalidRefreshToken()
    return pair


def log_out(session: Session, *, refresh_token: str) -> None:
    """Revoke the family of `refresh_token` (spent or not: every token of it stops working)."""
    family_id = refresh_tokens.family_of(session, value=refresh_token)
    if family_id is None:
        raise InvalidRefreshToken()
    refresh_tokens.revoke_family(session, family_id=family_id)


def _rotate(session: Session, refresh_token: str, issuer: TokenIssuer) -> TokenPair | None:
    spent = refresh_tokens.spend(session, value=refresh_token)
    if spent is None:
        return None
    account = session.get(Account, spent.account_id)
    if account is None or not account.active:
        refresh_tokens.revoke_family(session, family_id=spent.family_id)
        return None
    return issue_token_pair(session, account=account, issuer=issuer, family_id=spent.family_id)


def _login_email(username: str) -> str | None:
    """The `email_key` of the address a login names, or None when no account can have it.

    The form field is free text: what cannot be a stored email (too long, NUL, not
    encodable) is never looked up or counted, and answers like an unknown address.
    """
    email = email_key(username.strip().lower())
    if not email or len(email) > MAX_EMAIL_LENGTH or "\x00" in email:
        return None
    try:
        email.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return email
