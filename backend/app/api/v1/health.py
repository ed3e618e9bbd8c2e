"""`GET /health`: liveness plus a database round trip, the task backend and, for the
`procrastinate` backend, whether a worker was seen lately; no credentials needed."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api.deps import EngineDep, RunnerDep, SettingsDep
from app.db import ping
from app.tasks.procrastinate_backend import QueueDispatcher

router = APIRouter(tags=["health"])

_DB_TIMEOUT_S = 5.0


class Health(BaseModel):
    status: Literal["ok", "error"]
    database: Literal["ok", "unavailable"]
    task_backend: Literal["inline", "procrastinate"] = Field(
        description="Where jobs run: in this process (inline) or on `co2calc worker` "
        "processes (procrastinate)."
    )
    worker_seen: bool | None = Field(
        None,
        description="procrastinate only: whether a worker sent its heartbeat within "
        "CO2CALC_WORKER_STALL_SECONDS; while none did, queued jobs wait.",
    )
    detail: str | None = None


async def _database_answers(engine: AsyncEngine) -> str | None:
    """None when `SELECT 1` answers, else why not."""
    try:
        async with asyncio.timeout(_DB_TIMEOUT_S):
            await ping(engine)
    except TimeoutError:
        return f"the database did not answer within {_DB_TIMEOUT_S:.0f} s"
    except Exception as error:
        return f"the database is unreachable: {type(error).__name__}"
    return None


@router.get(
    "/health",
    response_model=Health,
    response_model_exclude_none=True,
    responses={503: {"model": Health, "description": "The database does not answer."}},
)
async def get_health(
    engine: EngineDep, settings: SettingsDep, runner: RunnerDep
) -> Health | JSONResponse:
    """Whether the server and its database answer, and where jobs run; needs no credentials
    (for probes). No worker seen is reported, not an error: the API itself is healthy."""
    backend = settings.task_backend
    problem = await _database_answers(engine)
    if problem is not None:
        body = Health(status="error", database="unavailable", task_backend=backend, detail=problem)
        return JSONResponse(status_code=503, content=body.model_dump(exclude_none=True))
    if not isinstance(runner, QueueDispatcher):
        return Health(status="ok", database="ok", task_backend=backend)
    seen = await runner.worker_seen_within(settings.worker_stall_seconds)
    detail = None if seen else "no co2calc worker seen lately: queued jobs wait for one"
    return Health(status="ok", database="ok", task_backend=backend, worker_seen=seen, detail=detail)
