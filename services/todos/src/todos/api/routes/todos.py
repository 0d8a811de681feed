"""HTTP routes of `/api/v1/todos`: read inputs, call one service function, answer."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from todo_common.database import SessionDep
from todo_common.etags import etag_for
from todo_common.problem import problem_responses
from todo_common.security.dependencies import CurrentUser
from todo_common.settings import SettingsDep
from todos.api.dependencies import IdempotencyKey, IfMatch, TodoDep, TodoId
from todos.core.config import TodosSettings
from todos.schemas.listing import TodoListQuery
from todos.schemas.todo import TodoCreate, TodoPage, TodoPublic, TodoReplace, TodoUpdate
from todos.services import creation, listing, todos
from todos.services.todos import TodoSnapshot

router = APIRouter(tags=["todos"])


def _with_etag(response: Response, snapshot: TodoSnapshot) -> TodoPublic:
    response.headers["ETag"] = etag_for(snapshot.version)
    return snapshot.todo


@router.get("", responses=problem_responses(401, 422))
def list_todos(
    session: SessionDep, user: CurrentUser, query: Annotated[TodoListQuery, Query()]
) -> TodoPage:
    """List your todos, newest first by default, one page at a time."""
    return listing.list_todos(session, owner_id=user.user_id, query=query)


@router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 422))
def create_todo(
    request: Request,
    response: Response,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep[TodosSettings],
    data: TodoCreate,
    idempotency_key: IdempotencyKey = None,
) -> TodoPublic:
    """Create a todo; send an Idempotency-Key to make retries safe."""
    created = creation.create_todo(
        session,
        owner_id=user.user_id,
        data=data,
        idempotency_key=idempotency_key,
        key_ttl=settings.idempotency_key_ttl,
    )
    response.headers["Location"] = str(
        request.url_for("get_todo", todo_id=created.snapshot.todo.id).path
    )
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return _with_etag(response, created.snapshot)


@router.get("/{todo_id}", responses=problem_responses(401, 404, 422))
def get_todo(todo: TodoDep, response: Response) -> TodoPublic:
    """Read one of your todos."""
    return _with_etag(response, TodoSnapshot.of(todo))


@router.put("/{todo_id}", responses=problem_responses(401, 404, 412, 422))
def replace_todo(
    todo_id: TodoId,
    data: TodoReplace,
    response: Response,
    session: SessionDep,
    user: CurrentUser,
    if_match: IfMatch = None,
) -> TodoPublic:
    """Replace a todo; fields you leave out return to their defaults."""
    todo = todos.replace_todo(
        session, owner_id=user.user_id, todo_id=todo_id, data=data, if_match=if_match
    )
    return _with_etag(response, TodoSnapshot.of(todo))


@router.patch("/{todo_id}", responses=problem_responses(401, 404, 412, 422))
def update_todo(
    todo_id: TodoId,
    changes: TodoUpdate,
    response: Response,
    session: SessionDep,
    user: CurrentUser,
    if_match: IfMatch = None,
) -> TodoPublic:
    """Change some fields of a todo."""
    todo = todos.update_todo(
        session, owner_id=user.user_id, todo_id=todo_id, changes=changes, if_match=if_match
    )
    return _with_etag(response, TodoSnapshot.of(todo))


@router.delete(
    "/{todo_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 412, 422),
)
def delete_todo(
    todo_id: TodoId, session: SessionDep, user: CurrentUser, if_match: IfMatch = None
) -> None:
    """Delete a todo."""
    todos.delete_todo(session, owner_id=user.user_id, todo_id=todo_id, if_match=if_match)
