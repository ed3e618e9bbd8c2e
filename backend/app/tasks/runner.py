"""The `inline` runner backend: jobs run as asyncio tasks inside the API (or CLI) process.

Strong references are kept (asyncio only holds weak ones), concurrency is bounded, jobs
still pending keep a heartbeat, and a periodic sweep ends jobs whose worker is gone, at
start-up included. Shutdown cancels running jobs, which end ERROR "interrupted".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.logging import log_extra
from app.db import create_session_factory
from app.models import utcnow
from app.repositories.data_ingestion import DataIngestionRepository
from app.tasks.context import is_local_worker_dead, use_engine, worker_id

logger = logging.getLogger(__name__)

TaskFunction = Callable[..., Awaitable[None]]

SWEEP_SECONDS = 10.0
# A job whose worker gave no sign of life for this long is ended as interrupted.
STALE_JOB_SECONDS = 60.0


class InlineRunner:
    def __init__(self, engine: AsyncEngine, *, max_concurrency: int = 4) -> None:
        self.engine = engine
        self._slots = asyncio.Semaphore(max_concurrency)
        self._tasks: dict[asyncio.Task[None], int] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._session_factory = create_session_factory(engine)

    async def start(self) -> None:
        """End jobs left behind by a process that is gone, then keep sweeping.

        A database that does not answer yet must not stop the app from starting (health then
        says 503): the periodic sweep tries again.
        """
        try:
            await self.sweep()
        except Exception:
            logger.exception(
                "start-up job sweep failed; the periodic sweep will retry",
                extra=log_extra("sweep.failed"),
            )
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="job-sweeper")

    def schedule(self, task: TaskFunction, /, *, job_id: int, **params: Any) -> None:
        """Run `task(job_id=..., **params)` in the background (the job row already exists)."""

        async def run() -> None:
            async with self._slots:
                with use_engine(self.engine):
                    await task(job_id=job_id, **params)

        running = asyncio.create_task(run(), name=f"job-{job_id}")
        self._tasks[running] = job_id
        running.add_done_callback(self._forget)

    async def wait_idle(self) -> None:
        """Wait for every scheduled job to end (tests, CLI)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def shutdown(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def sweep(self) -> list[int]:
        """Heartbeat our own pending jobs; end others' jobs whose worker is gone."""
        async with self._session_factory() as session:
            repo = DataIngestionRepository(session)
            if self._tasks:
                await repo.heartbeat(list(self._tasks.values()), worker_id())
            workers = await repo.list_active_workers()
            dead = [worker for worker in workers if is_local_worker_dead(worker)]
            stale_before = utcnow() - timedelta(seconds=STALE_JOB_SECONDS)
            ended = await repo.fail_interrupted(stale_before=stale_before, dead_workers=dead)
            await session.commit()
        for job_id in ended:
            logger.warning(
                "sweep ended job %s as interrupted: its worker is gone",
                job_id,
                extra=log_extra("sweep.job_interrupted", job_id=job_id, swept_by=worker_id()),
            )
        return ended

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.sweep()
            except Exception:
                logger.exception("job sweep failed; retrying", extra=log_extra("sweep.failed"))

    def _forget(self, task: asyncio.Task[None]) -> None:
        job_id = self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            logger.error(
                "job %s task crashed",
                job_id,
                exc_info=task.exception(),
                extra=log_extra("job.crashed", job_id=job_id, worker_id=worker_id()),
            )
