"""Jobs are handed to a runner by id, and only once the transaction that created them commits.

A service that creates a job calls `enqueue_job(session, job_id)`: the id waits in the
session's `info`. Whoever owns the unit of work (the request's session dependency, a CLI
command, the demo) ends it with `commit_and_dispatch`, which commits and then hands each id to
the runner. A rolled-back transaction drops its ids, so a job that was never committed is never
dispatched, and a task always finds its row.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

_ENQUEUED = "co2calc.enqueued_job_ids"


class JobDispatcher(Protocol):
    """What a runner backend offers: run this committed job, found by its id alone."""

    async def dispatch(self, job_id: int) -> None: ...


def enqueue_job(session: AsyncSession, job_id: int) -> None:
    """Dispatch `job_id` once this session's transaction commits (never if it rolls back)."""
    session.info.setdefault(_ENQUEUED, []).append(job_id)


def enqueued_job_ids(session: AsyncSession) -> list[int]:
    """The ids waiting for the commit, in the order they were enqueued."""
    return list(session.info.get(_ENQUEUED, []))


async def commit_and_dispatch(session: AsyncSession, dispatcher: JobDispatcher) -> list[int]:
    """Commit, then dispatch the jobs the transaction created; returns their ids."""
    await session.commit()
    job_ids: list[int] = session.info.pop(_ENQUEUED, [])
    for job_id in job_ids:
        await dispatcher.dispatch(job_id)
    return job_ids


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # Only the outermost transaction's rollback undoes the rows; a savepoint's does not
    # (services insert jobs in savepoints and enqueue once the insert succeeded).
    if previous_transaction.parent is None:
        session.info.pop(_ENQUEUED, None)
