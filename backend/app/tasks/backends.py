"""The runner backend the settings choose, for the API's lifetime: `inline` runs jobs in this
process; `procrastinate` defers them to the PostgreSQL queue the workers read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.job_queue import JobDispatcher
from app.core.settings import Settings
from app.tasks.procrastinate_backend import QueueDispatcher, create_queue
from app.tasks.runner import InlineRunner


@asynccontextmanager
async def job_runner(settings: Settings, engine: AsyncEngine) -> AsyncIterator[JobDispatcher]:
    if settings.task_backend == "procrastinate":
        queue = create_queue(settings.database_url)
        async with queue.open_async():
            yield QueueDispatcher(queue, engine)
        return
    runner = InlineRunner(engine, max_concurrency=settings.max_concurrent_jobs)
    await runner.start()
    try:
        yield runner
    finally:
        await runner.shutdown()
