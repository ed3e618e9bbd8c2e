"""GET /api/v1/health: 200 when the database answers, 503 with a reason when it does not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.settings import Settings
from app.db import create_engine
from app.main import create_app


@asynccontextmanager
async def _client(engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(), engine=engine)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield client


async def test_health_is_ok_when_the_database_answers(engine: AsyncEngine) -> None:
    async with _client(engine) as client:
        response = await client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "task_backend": "inline"}


async def test_health_is_503_when_the_database_is_unreachable() -> None:
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    try:
        async with _client(unreachable) as client:
            response = await client.get("/api/v1/health")
    finally:
        await unreachable.dispose()

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "unavailable"
    assert "unreachable" in body["detail"]


async def test_health_needs_no_credentials_and_is_documented(engine: AsyncEngine) -> None:
    async with _client(engine) as client:
        schema = (await client.get("/openapi.json")).json()
        docs = await client.get("/docs")

    assert docs.status_code == 200
    responses = schema["paths"]["/api/v1/health"]["get"]["responses"]
    assert {"200", "503"} <= set(responses)
