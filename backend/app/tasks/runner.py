"""The `inline` runner backend: jobs run as asyncio tasks inside the API (or CLI) process.

Its interface is `dispatch(job_id)`: the job runs from its id alone (see tasks/dispatch.py).
Strong references are kept (asyncio only holds weak ones), concurrency is bounded, jobs
still pending keep a heartbeat, and a periodic sweep, at start-up included, handles jobs whose
worker is gone: one that was running ends ERROR "interrupted"; one that never started
(NOT_STARTED, or QUEUED behind its scope's lock) is taken over and run here, whichever process
this is (the server, a CLI command, the demo). The sweep also deletes uploaded files that
failed jobs left behind, once past the retention period. Shutdown cancels running
jobs, which end ERROR "interrupted".

A CLI command or the demo run with the `procrastinate` backend is not the keeper of the other
jobs: those wait in the workers' queue, and the workers' stall finder retries the ones whose
worker is gone, so such a runner (`takes_over_others=False`) only keeps its own jobs alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.logging import log_extra
from app.db import create_session_factory
from app.models import utcnow
from app.repositories.data_ingestion import DataIngestionRepository
from app.repositories.job_upload_repo import JobUploadRepository
from app.tasks.context import is_local_worker_dead, use_engine, worker_id
from app.tasks.dispatch import run_job

logger = logging.getLogger(__name__)

JobRun = Callable[[int], Awaitable[None]]

SWEEP_SECONDS = 10.0
# A job whose worker gave no sign of life for this long is ended as interrupted.
STALE_JOB_SECONDS = 60.0
# The file of a job that ended without its final commit stays this long, for a look at it.
UPLOAD_RETENTION = timedelta(days=1)


class InlineRunner:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_concurrency: int = 4,
        run: JobRun = run_job,
        takes_over_others: bool = True,
    ) -> None:
        self.engine = engine
        self._run = run
        self.takes_over_others = takes_over_others
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

    async def dispatch(self, job_id: int) -> None:
        """Run the committed job `job_id` in the background."""

        async def run() -> None:
            async with self._slots:
                with use_engine(self.engine):
                    await self._run(job_id)

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
        """Heartbeat our own pending jobs; take over or end others' jobs whose worker is gone
        (unless this runner does not take over others).

        Returns the ids of the jobs ended as interrupted.
        """
        now = utcnow()
        async with self._session_factory() as session:
            repo = DataIngestionRepository(session)
            if self._tasks:
                await repo.heartbeat(list(self._tasks.values()), worker_id())
            if not self.takes_over_others:
                await session.commit()
                return []
            workers = await repo.list_active_workers()
            dead = [worker for worker in workers if is_local_worker_dead(worker)]
            stale_before = now - timedelta(seconds=STALE_JOB_SECONDS)
            adopted = await repo.adopt_waiting(
                stale_before=stale_before, dead_workers=dead, worker_id=worker_id()
            )
            ended = await repo.fail_interrupted(stale_before=stale_before, dead_workers=dead)
            await JobUploadRepository(session).delete_of_jobs_finished_before(
                now - UPLOAD_RETENTION
            )
            await session.commit()
        for job_id in ended:
            logger.warning(
                "sweep ended job %s as interrupted: its worker is gone",
                job_id,
                extra=log_extra("sweep.job_interrupted", job_id=job_id, swept_by=worker_id()),
            )
        for job_id in adopted:
            logger.warning(
                "sweep took over job %s: its worker is gone before it started",
                job_id,
                extra=log_extra("sweep.job_adopted", job_id=job_id, swept_by=worker_id()),
            )
            await self.dispatch(job_id)
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


def local_runner(engine: AsyncEngine, task_backend: str) -> InlineRunner:
    """The runner of a CLI command or the demo: its own jobs one at a time, in this process;
    it takes over others' jobs only when they are this kind of runner's to keep (`inline`)."""
    return InlineRunner(engine, max_concurrency=1, takes_over_others=task_backend == "inline")
