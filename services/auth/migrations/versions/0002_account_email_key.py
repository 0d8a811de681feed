"""Compare account emails by a normalised key (NFKC, case-folded), unique.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "auth"


def _email_key(email: str) -> str:
    # A copy of auth.schemas.account.email_key as of this revision: a migration must keep
    # meaning what it meant when it was written, whatever the code says later.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email).casefold())


def upgrade() -> None:
    op.add_column("account", sa.Column("email_key", sa.String(length=254)), schema=SCHEMA)
    account = sa.table(
        "account", sa.column("id"), sa.column("email"), sa.column("email_key"), schema=SCHEMA
    )
    connection = op.get_bind()
    # In Python, not SQL: PostgreSQL's lower() is not Unicode case folding.
    for account_id, email in connection.execute(sa.select(account.c.id, account.c.email)):
        connection.execute(
            account.update()
            .where(account.c.id == account_id)
            .values(email_key=_email_key(email)[:254])
        )
    op.alter_column("account", "email_key", nullable=False, schema=SCHEMA)
    op.create_unique_constraint(
        op.f("uq_account_email_key"), "account", ["email_key"], schema=SCHEMA
    )
    # Lockouts are counted per key from now on; a count under an address that is not its
    # own key would never be found again, so it goes (they last minutes anyway).
    login_failure = sa.table("login_failure", sa.column("email"), schema=SCHEMA)
    for (email,) in connection.execute(sa.select(login_failure.c.email)).all():
        if _email_key(email) != email:
            connection.execute(login_failure.delete().where(login_failure.c.email == email))


def downgrade() -> None:
    op.drop_constraint(op.f("uq_account_email_key"), "account", schema=SCHEMA)
    op.drop_column("account", "email_key", schema=SCHEMA)
