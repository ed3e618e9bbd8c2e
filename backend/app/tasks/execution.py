"""Runs one job: scope lock, claim, heartbeat, two sessions, and a final state in every case.

The job's work receives the handle (progress on the job session) and the data session (bound
to one connection for the whole job), and
returns its outcome; the outcome is written inside the data transaction, so the job is
FINISHED exactly when its data is committed. Any failure rolls the data back and ends the job
ERROR with the real cause; a cancel request, seen at the work's next progress report, rolls
the data back and ends it ERROR "cancelled by NAME"; cancellation of the task (server
shutdown) ends it ERROR "interrupted".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core import job_changes
from app.core.logging import log_extra
from app.db import create_session_factory
from app.db_errors import storage_refusal
from app.domain.ingestion import IngestionResult, IngestionState
from app.repositories.data_ingestion import INTERRUPTED_MESSAGE, DataIngestionRepository
from app.services.ingestion.outcome import ImportOutcome
from app.tasks.context import current_engine, hands_back_when_interrupted, worker_id
from app.tasks.job_handle import JobCancelledError, JobHandle, JobLostError
from app.tasks.scope_lock import ScopeLock

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class JobOutcome:
    result: IngestionResult
    message: str
    meta: dict[str, Any] = field(default_factory=dict)
    factor_sequence: int | None = None


JobWork = Callable[[JobHandle, AsyncSession], Awaitable[JobOutcome]]


def conclude(
    handle: JobHandle,
    created_meta: dict[str, Any],
    outcome: JobOutcome | ImportOutcome,
    *,
    summary: str,
    event: str,
    **figures: Any,
) -> JobOutcome:
    """The end of every task's work: one summary log line with the run's figures, and the
    outcome to write, its meta merged into the one set at creation (which stays)."""
    logger.info(
        "%s: %s",
        summary,
        outcome.message,
        extra=_extra(handle, event, result=outcome.result.name, **figures),
    )
    return JobOutcome(
        result=outcome.result,
        message=outcome.message,
        meta={**created_meta, **outcome.meta},
        factor_sequence=outcome.factor_sequence,
    )


def describe_failure(error: BaseException) -> str:
    """The real cause, as an operator reads it in the job history; a database refusing every
    write (full, read-only) says so first, with what to do."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    cause = f"{type(error).__name__}: {text}" if text else type(error).__name__
    refusal = storage_refusal(error)
    return f"{refusal} ({cause})" if refusal else cause


async def execute_job(job_id: int, work: JobWork, *, scope_lock: bool = True) -> None:
    """Run `work` as job `job_id`. Without `scope_lock` (a job that writes nothing but its
    own row, such as a preview) it neither waits for the scope's writers nor holds them up."""
    engine = current_engine()
    session_factory = create_session_factory(engine)
    handle = JobHandle(session_factory, job_id, worker_id())
    job = await handle.load()
    if job.state == IngestionState.FINISHED:
        return
    lock = ScopeLock(engine, job.module_type_id, job.year, job_id) if scope_lock else None

    async def on_wait() -> None:
        async with session_factory() as session:
            holder = await DataIngestionRepository(session).find_running_in_scope(
                job.module_type_id, job.year
            )
        waiting_for = f"job {holder.id}" if holder else "another job"
        message = f"Waiting for {waiting_for} of this module and year to finish"
        logger.info(
            "job waiting for its scope: %s",
            message,
            extra=_extra(handle, "job.waiting", waiting_for_job_id=holder.id if holder else None),
        )
        if not await handle.mark_waiting(message):
            raise JobLostError(f"job {job_id} was taken while waiting for its scope")

    try:
        async with lock.held(on_wait) if lock else contextlib.nullcontext():
            if not await handle.claim():
                logger.info(
                    "job %s already claimed elsewhere",
                    job_id,
                    extra=_extra(handle, "job.already_claimed"),
                )
                return
            logger.info(
                "job claimed",
                extra=_extra(
                    handle,
                    "job.claimed",
                    module_type_id=job.module_type_id,
                    data_entry_type_id=job.data_entry_type_id,
                    year=job.year,
                ),
            )
            async with handle.heartbeat(also=lock.refresh if lock else None):
                await _run_in_data_session(handle, work, engine, lock)
    except JobLostError:
        if (await handle.load()).cancel_requested_by is not None:
            logger.info("job cancelled before it started", extra=_extra(handle, "job.cancelled"))
            return
        logger.warning(
            "job %s lost: another worker or the sweep owns it now",
            job_id,
            extra=_extra(handle, "job.lost"),
        )
    except asyncio.CancelledError:
        if hands_back_when_interrupted():
            logger.warning("job handed back", extra=_extra(handle, "job.handed_back"))
            await asyncio.shield(handle.hand_back())
        else:
            logger.warning("job interrupted", extra=_extra(handle, "job.interrupted"))
            await asyncio.shield(handle.finish_error(INTERRUPTED_MESSAGE))
        raise


def _extra(handle: JobHandle, action: str, **fields: Any) -> dict[str, Any]:
    return log_extra(action, job_id=handle.job_id, worker_id=handle.worker_id, **fields)


async def _run_in_data_session(
    handle: JobHandle, work: JobWork, engine: AsyncEngine, lock: ScopeLock | None
) -> None:
    # One connection for the whole job: TEMP staging tables live on it, and on SQLite a
    # commit of staged rows must not hand the next transaction to another connection.
    async with (
        engine.connect() as connection,
        AsyncSession(bind=connection, expire_on_commit=False) as data_session,
    ):
        started = time.monotonic()
        try:
            outcome = await work(handle, data_session)
            await handle.finish_in(
                data_session,
                result=outcome.result,
                message=outcome.message,
                meta=outcome.meta,
                factor_sequence=outcome.factor_sequence,
            )
            if lock is not None:
                await lock.confirm()
            await data_session.commit()
            job_changes.notify(handle.job_id)
            logger.info(
                "job finished %s: %s",
                outcome.result.name,
                outcome.message,
                extra=_extra(
                    handle,
                    "job.finished",
                    result=outcome.result.name,
                    duration_s=round(time.monotonic() - started, 3),
                ),
            )
        except (JobLostError, asyncio.CancelledError):
            await asyncio.shield(data_session.rollback())
            raise
        except JobCancelledError as cancel:
            await data_session.rollback()
            logger.info(
                "job %s",
                cancel.message,
                extra=_extra(
                    handle,
                    "job.cancelled",
                    result=IngestionResult.ERROR.name,
                    duration_s=round(time.monotonic() - started, 3),
                ),
            )
            await handle.finish_error(cancel.message)
        except Exception as error:
            await data_session.rollback()
            cause = describe_failure(error)
            logger.exception(
                "job failed: %s",
                cause,
                extra=_extra(
                    handle,
                    "job.failed",
                    result=IngestionResult.ERROR.name,
                    cause=cause,
                    duration_s=round(time.monotonic() - started, 3),
                ),
            )
            await handle.finish_error(cause)
