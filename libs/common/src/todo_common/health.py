"""Liveness and readiness probes, on each service's own port (the gateway does not route them)."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from todo_common.database import ping
from todo_common.errors import ServiceUnavailable

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    status: str


@router.get("/healthz")
async def liveness() -> HealthStatus:
    """The process is alive and serving."""
    return HealthStatus(status="ok")


@router.get("/readyz", responses={503: {"description": "The database does not answer"}})
async def readiness(request: Request) -> HealthStatus:
    """The service can reach its database, so it can take traffic."""
    try:
        await run_in_threadpool(ping, request.app.state.engine)
    except SQLAlchemyError:
        raise ServiceUnavailable("The database does not answer") from None
    return HealthStatus(status="ready")
