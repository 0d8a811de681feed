"""HTTP routes of accounts under `/api/v1/auth`: registering, changing the password."""

from fastapi import APIRouter, Request, Response, status

from auth.api.dependencies import EngineDep, PasswordsDep
from auth.core.config import AuthSettings
from auth.schemas.account import AccountCreate, AccountPublic, PasswordChange
from auth.services import accounts
from todo_common.database import SessionDep
from todo_common.problem import problem_responses
from todo_common.security.dependencies import CurrentUser
from todo_common.settings import SettingsDep

router = APIRouter(tags=["accounts"])


@router.post(
    "/register", status_code=status.HTTP_201_CREATED, responses=problem_responses(409, 422)
)
def register(
    data: AccountCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    passwords: PasswordsDep,
    settings: SettingsDep[AuthSettings],
) -> AccountPublic:
    """Create an account with the `user` role; log in afterwards to get tokens."""
    account = accounts.register_account(
        session,
        data=data,
        passwords=passwords,
        subscribers=settings.user_registered_subscribers,
    )
    # Profiles are the users service's resource; this is where the new one will be.
    response.headers["Location"] = f"/api/v1/users/{account.id}"
    return account


@router.put(
    "/password", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 422)
)
def change_password(
    change: PasswordChange, user: CurrentUser, engine: EngineDep, passwords: PasswordsDep
) -> None:
    """Change your password; every refresh token of your account stops working."""
    accounts.change_password(engine, account_id=user.user_id, change=change, passwords=passwords)
