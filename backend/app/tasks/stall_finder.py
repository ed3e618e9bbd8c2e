"""The workers' periodic task: jobs whose worker died are retried or ended, lost defers redone.

Every `co2calc worker` runs it (each pass is conditional updates, so several at once agree):
- a RUNNING job whose heartbeat is older than CO2CALC_WORKER_STALL_SECONDS lost its worker
  (killed, machine gone): it is retried (QUEUED, attempts raised) while it has attempts left
  (CO2CALC_JOB_MAX_ATTEMPTS runs in all), else ended ERROR saying so; its data never committed,
  since a job's data commits with its end;
- the Procrastinate tasks of dead workers are ended, which frees their scope's lock;
- a job not started, quiet for a pass, with no Procrastinate task waiting or running for it (a
  crash between the commit and the defer, a retry, a job handed back) is deferred again;
- the files of jobs that ended without using them are deleted past their retention, as the
  inline runner's sweep does.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import procrastinate
from procrastinate.jobs import Status
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.logging import log_extra
from app.db import create_session_factory
from app.models import utcnow
from app.repositories.data_ingestion import DataIngestionRepository
from app.repositories.job_upload_repo import JobUploadRepository
from app.tasks.context import worker_id
from app.tasks.procrastinate_backend import JOB_TASK, defer
from app.tasks.runner import UPLOAD_RETENTION

logger = logging.getLogger(__name__)

# Procrastinate's statuses of a task still waiting ("todo") or running ("doing").
_WAITING_OR_RUNNING = (Status.TODO.value, Status.DOING.value)


@dataclass(slots=True)
class StallReport:
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    tasks_ended: list[int] = field(default_factory=list)


class StallFinder:
    def __init__(
        self,
        queue: procrastinate.App,
        engine: AsyncEngine,
        *,
        stall_seconds: float,
        period_seconds: float,
        max_attempts: int,
    ) -> None:
        self.queue = queue
        self.stall_seconds = stall_seconds
        self.period_seconds = period_seconds
        self.max_attempts = max_attempts
        self._session_factory = create_session_factory(engine)

    async def run_forever(self) -> None:
        """A pass now, then one every period; a failed pass is logged and tried again."""
        while True:
            try:
                await self.sweep()
            except Exception:
                logger.exception("stall finder pass failed", extra=log_extra("stall.failed"))
            await asyncio.sleep(self.period_seconds)

    async def sweep(self) -> StallReport:
        report = StallReport()
        now = utcnow()
        async with self._session_factory() as session:
            jobs = DataIngestionRepository(session)
            report.retried, report.failed = await jobs.retry_or_fail_stalled(
                stale_before=now - timedelta(seconds=self.stall_seconds),
                max_attempts=self.max_attempts,
            )
            await JobUploadRepository(session).delete_of_jobs_finished_before(
                now - UPLOAD_RETENTION
            )
            await session.commit()
        report.tasks_ended = await self._end_tasks_of_dead_workers()
        pending = await self._pending_job_ids()
        async with self._session_factory() as session:
            quiet_since = now - timedelta(seconds=self.period_seconds)
            waiting = await DataIngestionRepository(session).list_waiting_since(quiet_since)
        for job in waiting:
            if job.id not in pending and await defer(self.queue, job):
                report.deferred.append(job.id)
        self._log(report)
        return report

    async def _end_tasks_of_dead_workers(self) -> list[int]:
        stalled = await self.queue.job_manager.get_stalled_jobs(
            task_name=JOB_TASK, seconds_since_heartbeat=self.stall_seconds
        )
        ended = []
        for task in stalled:
            assert task.id is not None
            await self.queue.job_manager.finish_job_by_id_async(
                task.id, status=Status.FAILED, delete_job=False
            )
            ended.append(task.id)
        return ended

    async def _pending_job_ids(self) -> set[int]:
        """Ids of the jobs that have a Procrastinate task waiting or running."""
        pending: set[int] = set()
        for status in _WAITING_OR_RUNNING:
            tasks = await self.queue.job_manager.list_jobs_async(task=JOB_TASK, status=status)
            pending.update(int(str(task.task_kwargs["job_id"])) for task in tasks)
        return pending

    def _log(self, report: StallReport) -> None:
        for action, job_ids in (
            ("stall.job_retried", report.retried),
            ("stall.job_failed", report.failed),
            ("stall.job_deferred", report.deferred),
        ):
            for job_id in job_ids:
                logger.warning(
                    "stall finder: %s job %s",
                    action.removeprefix("stall.job_"),
                    job_id,
                    extra=log_extra(action, job_id=job_id, swept_by=worker_id()),
                )
        for task_id in report.tasks_ended:
            logger.warning(
                "stall finder: ended task %s of a dead worker",
                task_id,
                extra=log_extra("stall.task_ended", task_id=task_id, swept_by=worker_id()),
            )
