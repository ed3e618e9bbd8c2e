"""One `co2calc worker` process: Procrastinate's worker running queued jobs, and the stall
finder beside it.

SIGTERM (or Ctrl-C) stops fetching jobs and lets the running ones finish for up to
`shutdown_seconds`; a job still running then is cancelled and handed back (QUEUED, attempts
raised), and the stall finder of any worker defers it again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.settings import Settings
from app.tasks.context import hand_back_when_interrupted, use_engine, worker_id
from app.tasks.procrastinate_backend import create_queue
from app.tasks.queues import QUEUES
from app.tasks.stall_finder import StallFinder

# Connections of the worker's Procrastinate pool beyond one per concurrent job: the job
# fetcher's listener and the heartbeat.
_QUEUE_CONNECTIONS_SPARE = 2
# Procrastinate's own worker heartbeat: several within the stall limit.
_HEARTBEATS_PER_STALL = 4


async def run_worker(
    engine: AsyncEngine,
    settings: Settings,
    *,
    concurrency: int,
    queues: Sequence[str] | None,
    shutdown_seconds: float,
) -> None:
    queue = create_queue(settings.database_url, connections=concurrency + _QUEUE_CONNECTIONS_SPARE)
    finder = StallFinder(
        queue,
        engine,
        stall_seconds=settings.worker_stall_seconds,
        period_seconds=settings.worker_sweep_seconds,
        max_attempts=settings.job_max_attempts,
    )
    async with queue.open_async():
        with use_engine(engine), hand_back_when_interrupted():
            sweeping = asyncio.create_task(finder.run_forever(), name="stall-finder")
            try:
                await queue.run_worker_async(
                    name=worker_id(),
                    concurrency=concurrency,
                    queues=list(queues or QUEUES),
                    shutdown_graceful_timeout=shutdown_seconds,
                    update_heartbeat_interval=settings.worker_stall_seconds / _HEARTBEATS_PER_STALL,
                    stalled_worker_timeout=settings.worker_stall_seconds,
                    install_signal_handlers=True,
                    # The job row is the record; a task that ran leaves nothing to keep.
                    delete_jobs="successful",
                )
            finally:
                sweeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeping
