"""Refresh tokens: opaque, stored as SHA-256 only, rotated on use, revoked by family."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, select, update

from auth.models import RefreshToken
from todo_common.tables import utc_now


@dataclass(frozen=True)
class SpentToken:
    account_id: uuid.UUID
    family_id: uuid.UUID


def token_hash(value: str) -> str:
    # The token is 256 random bits, so a plain hash is enough: no salt, no slow hash. A
    # stolen table yields no usable token.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def create_refresh_token(
    session: Session, *, account_id: uuid.UUID, family_id: uuid.UUID, lifetime: timedelta
) -> str:
    """A new token in `family_id`; the value is returned once and never stored."""
    value = secrets.token_urlsafe(32)
    now = utc_now()
    session.add(
        RefreshToken(
            account_id=account_id,
            family_id=family_id,
            token_hash=token_hash(value),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return value


def spend(session: Session, *, value: str) -> SpentToken | None:
    """Mark a live token spent and say whose it was; None if it cannot be spent.

    The conditional UPDATE is atomic: of concurrent refreshes with one token exactly one
    matches the row, the others wait for its lock and then find it spent. A token that was
    already spent is being reused, which means it was copied: its whole family is revoked.
    """
    now = utc_now()
    hashed = token_hash(value)
    spent = session.exec(
        update(RefreshToken)
        .where(
            col(RefreshToken.token_hash) == hashed,
            col(RefreshToken.spent_at).is_(None),
            col(RefreshToken.revoked_at).is_(None),
            col(RefreshToken.expires_at) > now,
        )
        .values(spent_at=now)
        .returning(col(RefreshToken.account_id), col(RefreshToken.family_id))
    ).first()
    if spent is not None:
        return SpentToken(account_id=spent[0], family_id=spent[1])
    family_of_reused = session.exec(
        select(RefreshToken.family_id).where(
            RefreshToken.token_hash == hashed, col(RefreshToken.spent_at).is_not(None)
        )
    ).first()
    if family_of_reused is not None:
        revoke_family(session, family_id=family_of_reused)
    return None


def family_of(session: Session, *, value: str) -> uuid.UUID | None:
    return session.exec(
        select(RefreshToken.family_id).where(RefreshToken.token_hash == token_hash(value))
    ).first()


def revoke_family(session: Session, *, family_id: uuid.UUID) -> None:
    session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utc_now())
    )


def revoke_account_tokens(session: Session, *, account_id: uuid.UUID) -> None:
    session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.account_id) == account_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utc_now())
    )


def purge_expired(session: Session) -> int:
    """Delete tokens past their expiry: they can no longer be spent, nor usefully reused."""
    result = session.exec(delete(RefreshToken).where(col(RefreshToken.expires_at) < utc_now()))
    return result.rowcount
