"""The task's side of one job: state moves and progress on the job session.

Each call is its own short transaction, committed at once, so the SSE stream and the page
see progress while the data session's work stays invisible until its single commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import job_changes
from app.core.logging import log_extra
from app.domain.ingestion import IngestionResult
from app.models import DataIngestionJob
from app.repositories.data_ingestion import (
    DataIngestionRepository,
    cancelled_message,
    handed_back_message,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

HEARTBEAT_SECONDS = 5.0


class JobLostError(Exception):
    """The job is no longer ours (declared dead, or claimed by another worker): write nothing."""


class JobCancelledError(Exception):
    """Someone asked the job to stop: roll its data back and end it ERROR with `message`."""

    def __init__(self, requested_by: str) -> None:
        self.message = cancelled_message(requested_by)
        super().__init__(self.message)


class JobHandle:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        job_id: int,
        worker_id: str,
    ) -> None:
        self.session_factory = session_factory
        self.job_id = job_id
        self.worker_id = worker_id

    async def _commit(self, action: Callable[[DataIngestionRepository], Awaitable[T]]) -> T:
        async with self.session_factory() as session:
            outcome = await action(DataIngestionRepository(session))
            await session.commit()
        job_changes.notify(self.job_id)
        return outcome

    async def load(self) -> DataIngestionJob:
        async with self.session_factory() as session:
            job = await DataIngestionRepository(session).get(self.job_id)
        if job is None:
            raise LookupError(f"job {self.job_id} does not exist")
        return job

    async def claim(self) -> bool:
        return await self._commit(lambda repo: repo.claim(self.job_id, self.worker_id))

    async def mark_waiting(self, message: str) -> bool:
        return await self._commit(
            lambda repo: repo.mark_waiting(self.job_id, self.worker_id, message)
        )

    async def progress(
        self, message: str | None = None, *, done: int | None = None, total: int | None = None
    ) -> None:
        """Publish progress, between two batches of the job's work: raises JobLostError if
        the job was taken from us, JobCancelledError if someone asked it to stop (the request
        is read from the row, so it may come from any process)."""

        async def publish(repo: DataIngestionRepository) -> tuple[bool, str | None]:
            matched = await repo.update_progress(
                self.job_id, self.worker_id, message=message, done=done, total=total
            )
            return matched, await repo.cancel_request_of(self.job_id)

        matched, cancel_requested_by = await self._commit(publish)
        if not matched:
            raise JobLostError(f"job {self.job_id} is no longer owned by {self.worker_id}")
        if cancel_requested_by is not None:
            raise JobCancelledError(cancel_requested_by)

    async def progress_while_writing(self, message: str) -> None:
        """Progress from inside the job's final write transaction, which completes whatever
        is asked meanwhile: a cancel request is not honoured any more (raises JobLostError
        only). On SQLite that transaction holds the database's write lock, which a progress
        commit would wait for: the job's streams in this process show the message instead
        (the row keeps the write phase's own message)."""
        if self.session_factory.kw["bind"].dialect.name == "sqlite":
            job_changes.show(self.job_id, {"status_message": message})
            return
        matched = await self._commit(
            lambda repo: repo.update_progress(self.job_id, self.worker_id, message=message)
        )
        if not matched:
            raise JobLostError(f"job {self.job_id} is no longer owned by {self.worker_id}")

    async def finish_in(
        self,
        data_session: AsyncSession,
        *,
        result: IngestionResult,
        message: str,
        meta: dict[str, Any] | None = None,
        factor_sequence: int | None = None,
    ) -> None:
        """Finish inside the data transaction: the job is FINISHED exactly when its data commits."""
        matched = await DataIngestionRepository(data_session).finish(
            self.job_id,
            self.worker_id,
            result=result,
            message=message,
            meta=meta,
            factor_sequence=factor_sequence,
        )
        if not matched:
            raise JobLostError(f"job {self.job_id} is no longer owned by {self.worker_id}")

    async def finish_error(self, message: str, meta: dict[str, Any] | None = None) -> bool:
        """Finish ERROR on the job session (the data session was rolled back)."""

        async def _finish(repo: DataIngestionRepository) -> bool:
            matched = await repo.finish(
                self.job_id,
                self.worker_id,
                result=IngestionResult.ERROR,
                message=message,
                meta=meta,
            )
            if matched:
                await repo.finish_children(
                    self.job_id, result=IngestionResult.ERROR, message=message
                )
            return matched

        return await self._commit(_finish)

    async def hand_back(self) -> bool:
        """Give the running job back (QUEUED, attempts raised) for another worker to run."""
        message = handed_back_message(self.worker_id)
        return await self._commit(
            lambda repo: repo.requeue_for_retry(self.job_id, self.worker_id, message)
        )

    @contextlib.asynccontextmanager
    async def heartbeat(
        self, also: Callable[[], Awaitable[None]] | None = None
    ) -> AsyncIterator[None]:
        """Keep the job (and, with `also`, its scope lock) visibly alive while the body runs."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(HEARTBEAT_SECONDS)
                try:
                    await self._commit(lambda repo: repo.heartbeat([self.job_id], self.worker_id))
                    if also is not None:
                        await also()
                except Exception:  # a missed beat is retried; the sweep tolerates several
                    logger.warning(
                        "heartbeat failed for job %s",
                        self.job_id,
                        exc_info=True,
                        extra=log_extra(
                            "job.heartbeat_failed", job_id=self.job_id, worker_id=self.worker_id
                        ),
                    )

        beating = asyncio.create_task(beat(), name=f"heartbeat-job-{self.job_id}")
        try:
            yield
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating
