"""Start-up tasks: purging what has expired, creating the first admin."""

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from auth.core.config import AuthSettings
from auth.services import lockout, refresh_tokens
from auth.services.accounts import ensure_first_admin
from auth.services.lockout import LockoutPolicy
from auth.services.passwords import Passwords
from todo_common.database import transaction

logger = logging.getLogger(__name__)


def purge_expired(engine: Engine, *, policy: LockoutPolicy) -> None:
    """Delete expired refresh tokens and forgotten login failures.

    Run at start-up and hourly. Best effort: a database that is down now is not a reason to
    stay down, and what is left is purged next time (expired rows are never honoured anyway).
    """
    try:
        with transaction(engine) as session:
            tokens = refresh_tokens.purge_expired(session)
            failures = lockout.purge_forgotten_failures(session, policy=policy)
    except SQLAlchemyError as error:
        logger.warning("purge skipped: %s", type(error).__name__)
        return
    logger.info(
        "purged expired state", extra={"refresh_tokens": tokens, "login_failures": failures}
    )


def create_first_admin(engine: Engine, *, settings: AuthSettings, passwords: Passwords) -> None:
    """Create the FIRST_ADMIN_* account when it is configured and absent."""
    if settings.first_admin_email is None or settings.first_admin_password is None:
        return
    created = ensure_first_admin(
        engine,
        email=settings.first_admin_email,
        password=settings.first_admin_password.get_secret_value(),
        name=settings.first_admin_name,
        passwords=passwords,
        subscribers=settings.user_registered_subscribers,
    )
    # The address is configuration an operator knows; the password is never logged.
    if created:
        logger.info("first admin created", extra={"email": settings.first_admin_email})
    else:
        logger.info("first admin exists already", extra={"email": settings.first_admin_email})
