"""The `procrastinate` runner backend: jobs are deferred to a PostgreSQL queue that any number
of `co2calc worker` processes, on any number of machines, take them from.

The API commits the job row, then defers one Procrastinate task carrying the job id alone
(`QueueDispatcher.dispatch`); a worker runs it with `run_job`, the very function the inline
runner runs. Two Procrastinate locks back up the database's rules: `lock` on the job's
(module, year), so no two writers of one scope run at once on any workers (the scope lock of
the job still holds as well), and, for a recalculation, `queueing_lock` on its scope, like the
one-active-recalculation index.
"""

from __future__ import annotations

import logging
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.logging import log_extra
from app.db import create_session_factory, libpq_address
from app.domain.ingestion import IngestionMethod, TargetType
from app.models import DataIngestionJob
from app.repositories.data_ingestion import DataIngestionRepository
from app.tasks.context import current_engine, worker_id
from app.tasks.dispatch import run_job
from app.tasks.queues import IMPORTS_QUEUE, RECALCULATIONS_QUEUE

logger = logging.getLogger(__name__)

JOB_TASK = "co2calc.run_job"


# Procrastinate's tables live in their own schema (migration 0005).
QUEUE_SCHEMA = "procrastinate"


_WORKER_SEEN = (
    "SELECT EXISTS (SELECT 1 FROM procrastinate_workers"
    " WHERE last_heartbeat > now() - make_interval(secs => %(seconds)s)) AS seen"
)


def queue_conninfo(database_url: str) -> str:
    """The address of the queue's connections: the queue's schema on their search_path."""
    url = make_url(libpq_address(database_url))
    return url.update_query_dict({"options": f"-csearch_path={QUEUE_SCHEMA}"}).render_as_string(
        hide_password=False
    )


def create_queue(database_url: str, *, connections: int = 2) -> procrastinate.App:
    """The Procrastinate app on the project's database, its one task registered; open it
    (`open_async`) before deferring or running a worker."""
    connector = procrastinate.PsycopgConnector(
        conninfo=queue_conninfo(database_url), min_size=1, max_size=connections
    )
    queue = procrastinate.App(connector=connector)
    queue.task(name=JOB_TASK, pass_context=False)(_run_queued_job)
    return queue


async def _run_queued_job(job_id: int) -> None:
    """A worker fetched this job: it becomes this worker's (whoever created it), then runs."""
    async with create_session_factory(current_engine())() as session:
        adopted = await DataIngestionRepository(session).adopt(job_id, worker_id())
        await session.commit()
    if not adopted:
        logger.info(
            "queued job %s already started or ended elsewhere",
            job_id,
            extra=log_extra("job.already_taken", job_id=job_id, worker_id=worker_id()),
        )
        return
    await run_job(job_id)


def defer_options(job: DataIngestionJob) -> dict[str, Any]:
    """Queue and locks of the job's Procrastinate task. A preview takes no lock: it writes
    nothing a writer of its scope could collide with, so it neither waits for one nor holds
    one up (nor is it a recalculation for the queueing lock)."""
    scope = f"{job.module_type_id}:{job.year}"
    if job.target_type == TargetType.EMISSION_PREVIEW:
        return {"queue": RECALCULATIONS_QUEUE}
    if job.ingestion_method == IngestionMethod.computed:
        covered = job.data_entry_type_id or "module"
        return {
            "queue": RECALCULATIONS_QUEUE,
            "lock": f"scope:{scope}",
            "queueing_lock": f"recalculation:{scope}:{covered}",
        }
    return {"queue": IMPORTS_QUEUE, "lock": f"scope:{scope}"}


async def defer(queue: procrastinate.App, job: DataIngestionJob) -> bool:
    """Defer the job's task; False when its recalculation scope already has one waiting
    (the stall finder defers it again once that one has run)."""
    try:
        await queue.configure_task(JOB_TASK, **defer_options(job)).defer_async(job_id=job.id)
    except AlreadyEnqueued:
        logger.warning(
            "job %s not queued yet: its scope has a queued recalculation",
            job.id,
            extra=log_extra("job.defer_postponed", job_id=job.id),
        )
        return False
    return True


class QueueDispatcher:
    """The API's side: committed jobs go to the queue (the workers run them)."""

    def __init__(self, queue: procrastinate.App, engine: AsyncEngine) -> None:
        self.queue = queue
        self._session_factory = create_session_factory(engine)

    async def worker_seen_within(self, seconds: float) -> bool:
        """Whether a worker sent its heartbeat in the last `seconds`."""
        row = await self.queue.connector.execute_query_one_async(
            query=_WORKER_SEEN, seconds=seconds
        )
        return bool(row["seen"])

    async def dispatch(self, job_id: int) -> None:
        async with self._session_factory() as session:
            job = await DataIngestionRepository(session).get(job_id)
        if job is not None:
            await defer(self.queue, job)
