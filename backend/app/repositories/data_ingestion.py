"""Queries on DataIngestionJob: creation, conditional state moves, listing, current-job rule,
and the per-type rows of a module recalculation.

State moves are conditional updates (see docs/jobs-and-locking.md): each returns whether it
matched, and a False means the caller no longer owns the job and must stop. The read queries
of the recalculation status are in recalculation_status_repo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.engine import CursorResult

from app.domain.ingestion import (
    ACTIVE_STATES,
    EntityType,
    IngestionMethod,
    IngestionResult,
    IngestionState,
    TargetType,
)
from app.domain.recalculation_status import RecalculationStatusRow, status_rows
from app.models import DataIngestionJob, utcnow
from app.repositories.base import Repository
from app.repositories.recalculation_status_repo import RecalculationStatusRepository

INTERRUPTED_MESSAGE = "interrupted: the server stopped while this job was running"


def handed_back_message(worker_id: str) -> str:
    """The status of a job its worker stopped before it finished, to be run again."""
    return f"Handed back by worker {worker_id}, which stopped; waiting for another worker"


def stalled_retry_message(worker_id: str | None, attempt: int, max_attempts: int) -> str:
    return (
        f"Retrying (attempt {attempt} of {max_attempts}): worker {worker_id} stopped "
        "responding; nothing of the previous attempt was saved"
    )


def stalled_failure_message(worker_id: str | None, attempt: int, max_attempts: int) -> str:
    return (
        f"Failed: worker {worker_id} stopped responding during attempt {attempt} of "
        f"{max_attempts}; nothing was saved, run the job again"
    )


def cancelled_message(requested_by: str) -> str:
    """The status message of a job ended by a cancel request."""
    return f"cancelled by {requested_by}"


_Job = DataIngestionJob
_ACTIVE = list(ACTIVE_STATES)
_WAITING = [IngestionState.NOT_STARTED, IngestionState.QUEUED]


@dataclass(frozen=True, slots=True)
class JobFilters:
    """Filters of the job history; None means "any"."""

    year: int | None = None
    module_type_id: int | None = None
    data_entry_type_id: int | None = None
    target_type: int | None = None
    state: int | None = None
    parent_job_id: int | None = None
    top_level_only: bool = False


def _running(worker_id: str) -> dict[str, Any]:
    """The columns of a transition to RUNNING: one clock reading for start and heartbeat."""
    now = utcnow()
    return {
        "state": IngestionState.RUNNING,
        "worker_id": worker_id,
        "started_at": now,
        "heartbeat_at": now,
    }


def _finished(result: IngestionResult, message: str) -> dict[str, Any]:
    """The columns every transition to FINISHED sets, whoever ends the job."""
    return {
        "state": IngestionState.FINISHED,
        "result": result,
        "status_message": message,
        "finished_at": utcnow(),
    }


def _worker_gone(stale_before: datetime, dead_workers: list[str] | None) -> ColumnElement[bool]:
    """No sign of life (heartbeat, or creation when never claimed) since `stale_before`, or a
    worker known to be dead."""
    last_sign_of_life = _Job.heartbeat_at.is_(None) & (_Job.created_at < stale_before)
    gone = or_(_Job.heartbeat_at < stale_before, last_sign_of_life)
    if dead_workers:
        gone = or_(gone, _Job.worker_id.in_(dead_workers))
    return gone


def _owned_by(job_id: int, worker_id: str) -> ColumnElement[bool]:
    return and_(
        _Job.id == job_id, _Job.state == IngestionState.RUNNING, _Job.worker_id == worker_id
    )


def _claimable_by(job_id: int, worker_id: str) -> ColumnElement[bool]:
    """Not running yet, and free or already this worker's (claim, wait for the scope lock)."""
    return and_(
        _Job.id == job_id,
        _Job.state.in_([IngestionState.NOT_STARTED, IngestionState.QUEUED]),
        or_(_Job.worker_id.is_(None), _Job.worker_id == worker_id),
    )


class DataIngestionRepository(Repository[DataIngestionJob]):
    model = DataIngestionJob

    async def create_ingestion_job(
        self,
        *,
        module_type_id: int,
        data_entry_type_id: int | None,
        year: int,
        ingestion_method: IngestionMethod,
        target_type: TargetType,
        entity_type: EntityType = EntityType.MODULE_PER_YEAR,
        meta: dict[str, Any] | None = None,
        requested_by: str | None = None,
        status_message: str | None = None,
        parent_job_id: int | None = None,
        worker_id: str | None = None,
    ) -> DataIngestionJob:
        """A NOT_STARTED job, flushed so its id is known (the caller commits)."""
        job = DataIngestionJob(
            module_type_id=module_type_id,
            data_entry_type_id=data_entry_type_id,
            year=year,
            ingestion_method=ingestion_method,
            target_type=target_type,
            entity_type=entity_type,
            state=IngestionState.NOT_STARTED,
            status_message=status_message,
            meta=meta or {},
            requested_by=requested_by,
            parent_job_id=parent_job_id,
            worker_id=worker_id,
            attempts=0,
            is_current=False,
            created_at=utcnow(),
        )
        self.session.add(job)
        await self.session.flush()
        return job

    async def get(self, job_id: int) -> DataIngestionJob | None:
        return await self.get_by_id(job_id)

    async def list_jobs(
        self, filters: JobFilters, *, limit: int, offset: int
    ) -> tuple[list[DataIngestionJob], int]:
        """Newest first."""
        statement = select(_Job).order_by(_Job.id.desc())
        for column, value in (
            (_Job.year, filters.year),
            (_Job.module_type_id, filters.module_type_id),
            (_Job.data_entry_type_id, filters.data_entry_type_id),
            (_Job.target_type, filters.target_type),
            (_Job.state, filters.state),
            (_Job.parent_job_id, filters.parent_job_id),
        ):
            if value is not None:
                statement = statement.where(column == value)
        if filters.top_level_only and filters.parent_job_id is None:
            statement = statement.where(_Job.parent_job_id.is_(None))
        return await self.paginate(statement, limit=limit, offset=offset)

    async def list_children(self, parent_job_ids: list[int]) -> list[DataIngestionJob]:
        """Per-type rows of these module jobs, oldest first (one query for a whole page)."""
        if not parent_job_ids:
            return []
        return await self.get_all(
            select(_Job).where(_Job.parent_job_id.in_(parent_job_ids)).order_by(_Job.id)
        )

    async def _update_where(self, condition: ColumnElement[bool], **values: Any) -> bool:
        """A conditional transition: True when a row matched, so racing workers learn who won."""
        result = await self.session.execute(update(_Job).where(condition).values(**values))
        assert isinstance(result, CursorResult)
        return bool(result.rowcount)

    async def claim(self, job_id: int, worker_id: str) -> bool:
        """NOT_STARTED or QUEUED -> RUNNING for this worker; False if someone else has it."""
        return await self._update_where(_claimable_by(job_id, worker_id), **_running(worker_id))

    async def mark_waiting(self, job_id: int, worker_id: str, message: str) -> bool:
        """A claimed job waiting for its scope's lock shows as QUEUED with the reason."""
        return await self._update_where(
            _claimable_by(job_id, worker_id),
            state=IngestionState.QUEUED,
            worker_id=worker_id,
            status_message=message,
            heartbeat_at=utcnow(),
        )

    async def requeue_for_retry(self, job_id: int, worker_id: str, message: str) -> bool:
        """RUNNING -> QUEUED, released by this worker, attempts raised, in one update; its
        per-type rows wait again too."""
        return await self._requeue(_owned_by(job_id, worker_id), job_id, message)

    async def _requeue(self, condition: ColumnElement[bool], job_id: int, message: str) -> bool:
        matched = await self._update_where(
            condition,
            state=IngestionState.QUEUED,
            worker_id=None,
            status_message=message,
            attempts=_Job.attempts + 1,
        )
        if matched:
            await self.session.execute(
                update(_Job)
                .where(_Job.parent_job_id == job_id, _Job.state.in_(_ACTIVE))
                .values(state=IngestionState.QUEUED, worker_id=None)
            )
        return matched

    async def adopt(self, job_id: int, worker_id: str) -> bool:
        """A job that has not started becomes `worker_id`'s: the queue worker that fetched it
        runs it, whichever process created it. False once it started or ended."""
        return await self._update_where(
            and_(_Job.id == job_id, _Job.state.in_(_WAITING)),
            worker_id=worker_id,
            heartbeat_at=utcnow(),
        )

    async def retry_or_fail_stalled(
        self, *, stale_before: datetime, max_attempts: int
    ) -> tuple[list[int], list[int]]:
        """RUNNING top-level jobs whose worker gave no heartbeat since `stale_before`: retried
        (QUEUED, attempts raised) while they have attempts left, else ended ERROR. Nothing of
        theirs was committed (a job's data commits with its end). Returns (retried, failed)."""
        stalled = await self.session.execute(
            select(_Job.id, _Job.worker_id, _Job.attempts).where(
                _Job.state == IngestionState.RUNNING,
                _Job.parent_job_id.is_(None),
                _worker_gone(stale_before, None),
            )
        )
        retried: list[int] = []
        failed: list[int] = []
        for job_id, worker, attempts in stalled.all():
            # Still stalled and still that worker's, or someone else acted meanwhile.
            still_stalled = and_(
                _Job.id == job_id,
                _Job.state == IngestionState.RUNNING,
                _Job.worker_id == worker,
                _worker_gone(stale_before, None),
            )
            attempt = attempts + 1
            if attempt < max_attempts:
                message = stalled_retry_message(worker, attempt + 1, max_attempts)
                if await self._requeue(still_stalled, job_id, message):
                    retried.append(job_id)
                continue
            message = stalled_failure_message(worker, attempt, max_attempts)
            if await self._update_where(still_stalled, **_finished(IngestionResult.ERROR, message)):
                await self.finish_children(job_id, result=IngestionResult.ERROR, message=message)
                failed.append(job_id)
        return retried, failed

    async def list_waiting_since(self, before: datetime) -> list[DataIngestionJob]:
        """Top-level jobs not started yet (NOT_STARTED, or QUEUED) with no sign of life (a
        heartbeat, else their creation) since `before`."""
        return await self.get_all(
            select(_Job)
            .where(
                _Job.state.in_(_WAITING),
                _Job.parent_job_id.is_(None),
                _worker_gone(before, None),
            )
            .order_by(_Job.id)
        )

    async def update_progress(
        self,
        job_id: int,
        worker_id: str,
        *,
        message: str | None = None,
        done: int | None = None,
        total: int | None = None,
    ) -> bool:
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if message is not None:
            values["status_message"] = message
        if done is not None:
            values["progress_done"] = done
        if total is not None:
            values["progress_total"] = total
        return await self._update_where(
            and_(_Job.id == job_id, _Job.state.in_(_ACTIVE), _Job.worker_id == worker_id),
            **values,
        )

    async def heartbeat(self, job_ids: list[int], worker_id: str) -> int:
        """Refresh the heartbeat of this worker's active jobs; returns how many matched."""
        result = await self.session.execute(
            update(_Job)
            .where(_Job.id.in_(job_ids), _Job.state.in_(_ACTIVE), _Job.worker_id == worker_id)
            .values(heartbeat_at=utcnow())
        )
        assert isinstance(result, CursorResult)
        return result.rowcount

    async def finish(
        self,
        job_id: int,
        worker_id: str,
        *,
        result: IngestionResult,
        message: str,
        meta: dict[str, Any] | None = None,
        factor_sequence: int | None = None,
    ) -> bool:
        """RUNNING -> FINISHED for the claiming worker; SUCCESS/WARNING also make it current
        (a preview excepted: it replaces nothing, and demoting the previous one would change
        another job's row).

        Call it inside the transaction that writes the job's data, so the job is FINISHED
        exactly when its data is committed; a False return means: roll the data back.
        """
        values = _finished(result, message)
        if meta is not None:
            values["meta"] = meta
        if factor_sequence is not None:
            values["factor_sequence"] = factor_sequence
        matched = await self._update_where(_owned_by(job_id, worker_id), **values)
        if matched and result != IngestionResult.ERROR and not await self._is_preview(job_id):
            await self.mark_job_as_current(job_id)
        return matched

    async def _is_preview(self, job_id: int) -> bool:
        statement = select(_Job.target_type).where(_Job.id == job_id)
        target = (await self.session.execute(statement)).scalar_one()
        return bool(target == TargetType.EMISSION_PREVIEW)

    async def finish_children(
        self, parent_job_id: int, *, result: IngestionResult, message: str
    ) -> None:
        """End the still-active per-type rows of a module job (its own finish failed)."""
        await self.session.execute(
            update(_Job)
            .where(_Job.parent_job_id == parent_job_id, _Job.state.in_(_ACTIVE))
            .values(**_finished(result, message))
        )

    # --- cancellation: a request on the row, so any process can ask and any process running
    # the job sees it (docs/jobs-and-locking.md)

    async def request_cancel(self, job_id: int, requested_by: str) -> bool:
        """Ask an active job to stop; the first request's name stays. False once FINISHED."""
        return await self._update_where(
            and_(_Job.id == job_id, _Job.state.in_(_ACTIVE)),
            cancel_requested_by=func.coalesce(_Job.cancel_requested_by, requested_by),
        )

    async def cancel_waiting(self, job_id: int, message: str) -> bool:
        """A job that never started (NOT_STARTED, or QUEUED behind its scope's lock) ends
        ERROR at once, with its per-type rows: no worker can claim it any more. False when it
        is RUNNING (its worker ends it) or already FINISHED."""
        matched = await self._update_where(
            and_(_Job.id == job_id, _Job.state.in_(_WAITING)),
            **_finished(IngestionResult.ERROR, message),
        )
        if matched:
            await self.finish_children(job_id, result=IngestionResult.ERROR, message=message)
        return matched

    async def cancel_request_of(self, job_id: int) -> str | None:
        """Who asked the job to stop, or None."""
        statement = select(_Job.cancel_requested_by).where(_Job.id == job_id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def mark_job_as_current(self, job_id: int) -> None:
        """Make the job current and demote the previous current job of the same scope.

        The scope compares data_entry_type_id with IS NULL for module-wide jobs, where `=`
        would never match (NULL = NULL is unknown).
        """
        job = await self.session.get(_Job, job_id, populate_existing=True)
        assert job is not None
        same_type = (
            _Job.data_entry_type_id.is_(None)
            if job.data_entry_type_id is None
            else _Job.data_entry_type_id == job.data_entry_type_id
        )
        await self.session.execute(
            update(_Job)
            .where(
                _Job.is_current.is_(True),
                _Job.id != job_id,
                _Job.module_type_id == job.module_type_id,
                same_type,
                _Job.target_type == job.target_type,
                _Job.ingestion_method == job.ingestion_method,
                _Job.year == job.year,
            )
            .values(is_current=False)
        )
        await self.session.execute(update(_Job).where(_Job.id == job_id).values(is_current=True))

    async def fail_interrupted(
        self,
        *,
        stale_before: datetime,
        dead_workers: list[str] | None = None,
        message: str = INTERRUPTED_MESSAGE,
    ) -> list[int]:
        """End active jobs whose worker is gone: FINISHED/ERROR with the interrupted message.

        A worker is gone when its heartbeat (or, never claimed, the job's creation) is older
        than `stale_before`, or when it is listed in `dead_workers`. Per-type rows of such a
        job go with it. Returns the ids of the jobs ended.
        """
        stale_ids = await self._orphaned(_ACTIVE, stale_before, dead_workers)
        if stale_ids:
            await self._update_with_rows(
                stale_ids,
                _ACTIVE,
                state=IngestionState.FINISHED,
                result=IngestionResult.ERROR,
                status_message=message,
                finished_at=utcnow(),
            )
        return stale_ids

    async def adopt_waiting(
        self, *, stale_before: datetime, dead_workers: list[str], worker_id: str
    ) -> list[int]:
        """Jobs that never started (NOT_STARTED, or QUEUED behind their scope's lock) and
        whose worker is gone (as in `fail_interrupted`) become `worker_id`'s, with their
        per-type rows, so that worker can run them. Returns the ids taken over."""
        orphan_ids = await self._orphaned(_WAITING, stale_before, dead_workers)
        if orphan_ids:
            await self._update_with_rows(
                orphan_ids, _WAITING, worker_id=worker_id, heartbeat_at=utcnow()
            )
        return orphan_ids

    async def _orphaned(
        self, states: list[IngestionState], stale_before: datetime, dead_workers: list[str] | None
    ) -> list[int]:
        """Top-level jobs in `states` whose worker is gone."""
        statement = select(_Job.id).where(
            _Job.state.in_(states),
            _Job.parent_job_id.is_(None),
            _worker_gone(stale_before, dead_workers),
        )
        return list((await self.session.execute(statement)).scalars())

    async def _update_with_rows(
        self, job_ids: list[int], states: list[IngestionState], **values: Any
    ) -> None:
        """Set `values` on these jobs and their per-type rows, where still in `states`."""
        await self.session.execute(
            update(_Job)
            .where(
                _Job.state.in_(states),
                or_(_Job.id.in_(job_ids), _Job.parent_job_id.in_(job_ids)),
            )
            .values(**values)
        )

    async def find_running_in_scope(
        self, module_type_id: int, year: int
    ) -> DataIngestionJob | None:
        """The job holding the (module, year) scope: jobs turn RUNNING only once they hold it
        (previews, which never take it, aside)."""
        return await self.get_one_or_none(
            select(_Job)
            .where(
                _Job.module_type_id == module_type_id,
                _Job.year == year,
                _Job.state == IngestionState.RUNNING,
                _Job.parent_job_id.is_(None),
                _Job.target_type != TargetType.EMISSION_PREVIEW,
            )
            .order_by(_Job.id)
            .limit(1)
        )

    async def list_active_workers(self) -> list[str]:
        """Worker ids that hold an active job (to find those whose process is gone)."""
        rows = await self.session.execute(
            select(_Job.worker_id)
            .where(_Job.state.in_(_ACTIVE), _Job.worker_id.is_not(None))
            .distinct()
        )
        return [worker for worker in rows.scalars() if worker is not None]

    async def get_recalculation_status_by_year(self, year: int) -> list[RecalculationStatusRow]:
        """Status of every (module, type) with a FINISHED, non-ERROR factor job in `year`;
        the rule is app.domain.recalculation_status, the queries RecalculationStatusRepository."""
        sources = await RecalculationStatusRepository(self.session).read_year(year)
        return status_rows(year, sources)

    # --- per-type rows of a module recalculation, moved by the task that runs the parent
    # (emission_recalculation_tasks). A child is found by (parent, type): the job-creation
    # service inserts one NOT_STARTED row per covered type.

    async def start_child(
        self, parent_job_id: int, data_entry_type_id: int, worker_id: str, *, message: str
    ) -> bool:
        """NOT_STARTED/QUEUED -> RUNNING when the module job reaches this type."""
        return await self._update_where(
            and_(
                _Job.parent_job_id == parent_job_id,
                _Job.data_entry_type_id == data_entry_type_id,
                _Job.state.in_([IngestionState.NOT_STARTED, IngestionState.QUEUED]),
            ),
            **_running(worker_id),
            status_message=message,
        )

    async def finish_child(
        self,
        parent_job_id: int,
        data_entry_type_id: int,
        *,
        result: IngestionResult,
        message: str,
        meta: dict[str, Any],
        factor_sequence: int | None,
    ) -> bool:
        """An active per-type row -> FINISHED with its own outcome, `meta` merged into the
        row's (its `config` stays); SUCCESS/WARNING make it current. Call it in the parent's
        final data transaction (see `finish`)."""
        child = (
            await self.session.execute(
                select(_Job.id, _Job.meta).where(
                    _Job.parent_job_id == parent_job_id,
                    _Job.data_entry_type_id == data_entry_type_id,
                    _Job.state.in_(_ACTIVE),
                )
            )
        ).first()
        if child is None:
            return False
        child_id, created_meta = child
        await self.session.execute(
            update(_Job)
            .where(_Job.id == child_id)
            .values(
                **_finished(result, message),
                meta={**(created_meta or {}), **meta},
                factor_sequence=factor_sequence,
            )
        )
        if result != IngestionResult.ERROR:
            await self.mark_job_as_current(child_id)
        return True


ACTIVE_RECALCULATION_INDEX = "uq_data_ingestion_jobs_active_recalculation"
