"""`GET /health`: liveness plus a database round trip; no credentials needed."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api.deps import EngineDep
from app.db import ping

router = APIRouter(tags=["health"])

_DB_TIMEOUT_S = 5.0


class Health(BaseModel):
    status: Literal["ok", "error"]
    database: Literal["ok", "unavailable"]
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
async def get_health(engine: EngineDep) -> Health | JSONResponse:
    """Whether the server and its database answer; needs no credentials (for probes)."""
    problem = await _database_answers(engine)
    if problem is None:
        return Health(status="ok", database="ok")
    body = Health(status="error", database="unavailable", detail=problem)
    return JSONResponse(status_code=503, content=body.model_dump(exclude_none=True))
