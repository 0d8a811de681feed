"""Locking an email address out of login after repeated failures, with exponential backoff."""

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, delete, select, update

from auth.models import LoginFailure
from auth.services.errors import LoginLocked
from todo_common.tables import utc_now


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int
    base_seconds: int
    max_seconds: int
    # Failures older than this are forgotten: a few typos a month apart never add up.
    memory: timedelta = timedelta(hours=24)

    def lock_for(self, failed_count: int) -> timedelta | None:
        """How long `failed_count` consecutive failures lock the address (None: not at all)."""
        if failed_count < self.threshold:
            return None
        # Capping the exponent first keeps 2**n small however many failures pile up.
        exponent = min(failed_count - self.threshold, 32)
        return timedelta(seconds=min(self.base_seconds * 2**exponent, self.max_seconds))


def ensure_not_locked(session: Session, *, email: str) -> None:
    """Raise `LoginLocked` (429 with Retry-After) while the address is locked."""
    locked_until = session.exec(
        select(LoginFailure.locked_until).where(LoginFailure.email == email)
    ).first()
    now = utc_now()
    if locked_until is not None and locked_until > now:
        raise LoginLocked(retry_after_seconds=math.ceil((locked_until - now).total_seconds()))


def record_failure(session: Session, *, email: str, policy: LockoutPolicy) -> None:
    """Count one more failure for the address, and lock it when the policy says so."""
    now = utc_now()
    # One statement, so concurrent failures each count (the row lock orders them).
    failed_count: int = session.scalars(
        insert(LoginFailure)
        .values(email=email, failed_count=1, last_failed_at=now)
        .on_conflict_do_update(
            index_elements=[col(LoginFailure.email)],
            set_={
                "failed_count": case(
                    (col(LoginFailure.last_failed_at) < now - policy.memory, 1),
                    else_=col(LoginFailure.failed_count) + 1,
                ),
                "last_failed_at": now,
            },
        )
        .returning(col(LoginFailure.failed_count))
    ).one()
    lock = policy.lock_for(failed_count)
    if lock is not None:
        session.exec(
            update(LoginFailure)
            .where(col(LoginFailure.email) == email)
            .values(locked_until=now + lock)
        )


def clear_failures(session: Session, *, email: str) -> None:
    session.exec(delete(LoginFailure).where(col(LoginFailure.email) == email))


def purge_forgotten_failures(session: Session, *, policy: LockoutPolicy) -> int:
    """Delete the failures the policy no longer remembers, unless they still lock."""
    result = session.exec(
        delete(LoginFailure).where(
            col(LoginFailure.last_failed_at) < utc_now() - policy.memory,
            col(LoginFailure.locked_until).is_(None) | (col(LoginFailure.locked_until) < utc_now()),
        )
    )
    return result.rowcount
