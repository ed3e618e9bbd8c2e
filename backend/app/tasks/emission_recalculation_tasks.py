"""Background recalculation of stored emissions: one data entry type, or several of a module.

Both tasks run through `execute_job` (scope lock, claim, heartbeat, one data transaction
that also writes the final job state). Progress goes to the job session as it happens:
"Starting emission recalculation...", "Found {N} data entries to recalculate",
"Recalculating emissions... {done}/{total}" (module job: "Recalculating {type} ({i}/{N})...
{done}/{total}"), then "Writing ..." right before the swap.

Result: SUCCESS without entry errors, WARNING with some (or, in a module job, when some
types failed), ERROR when every type failed or the job itself failed (database connection
lost, ...: nothing is committed and the message carries the real cause).

In a module job each type's swap runs in a SAVEPOINT: a type whose recalculation raises
anything but entry errors (a calculator bug, a constraint violation in its writes) is rolled
back alone, its per-type row ends ERROR (so the pair stays stale), and the other types commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.logging import log_extra
from app.db import dispose_engine
from app.domain.ingestion import IngestionResult
from app.domain.modules import DataEntryTypeEnum
from app.repositories.data_ingestion import DataIngestionRepository
from app.tasks.execution import JobOutcome, JobWork, describe_failure, execute_job
from app.tasks.job_handle import JobHandle, JobLostError
from app.workflows.emission_recalculation import (
    EmissionRecalculationWorkflow,
    RecalculationListener,
    StagedType,
    TypeStats,
)

logger = logging.getLogger(__name__)

STARTING = "Starting emission recalculation..."


def _found(total: int) -> str:
    return f"Found {total} data entries to recalculate"


def type_name(data_entry_type_id: int) -> str:
    """The DOMAIN.md name of a type (plane, train, ...), as progress messages show it."""
    return DataEntryTypeEnum(data_entry_type_id).name


# --- one type


async def run_recalculation_task(
    module_type_id: int, data_entry_type_id: int, year: int, job_id: int
) -> None:
    """Recalculate the emissions of one data entry type and year (job `job_id`)."""
    await execute_job(job_id, _type_work(module_type_id, data_entry_type_id, year))


class _TypeProgress(RecalculationListener):
    def __init__(self, handle: JobHandle) -> None:
        self.handle = handle

    async def found(self, data_entry_type_id: int, total: int) -> None:
        await self.handle.progress(_found(total), done=0, total=total)

    async def computed(self, data_entry_type_id: int, done: int, total: int) -> None:
        await self.handle.progress(
            f"Recalculating emissions... {done}/{total}", done=done, total=total
        )

    async def writing(self) -> None:
        await self.handle.progress("Writing the recalculated emissions and stats...")


def _type_work(module_type_id: int, data_entry_type_id: int, year: int) -> JobWork:
    async def work(handle: JobHandle, data_session: AsyncSession) -> JobOutcome:
        await handle.progress(STARTING)
        workflow = EmissionRecalculationWorkflow(data_session, listener=_TypeProgress(handle))
        factor_sequence = await workflow.read_factor_sequence(module_type_id, year)
        stats = await workflow.recalculate_for_data_entry_type(data_entry_type_id, year)
        result = IngestionResult.WARNING if stats["errors"] else IngestionResult.SUCCESS
        _log_summary(
            handle,
            result,
            _summary(stats),
            data_entry_type_id=data_entry_type_id,
            **{
                key: stats[key]
                for key in ("recalculated", "errors", "modules_refreshed", "skipped_changed")
            },
        )
        return JobOutcome(
            result,
            _summary(stats),
            meta={"recalculation": {**stats, "factor_sequence": factor_sequence}},
            factor_sequence=factor_sequence,
        )

    return work


def _log_summary(handle: JobHandle, result: IngestionResult, message: str, **figures: Any) -> None:
    logger.info(
        "recalculation summary: %s",
        message,
        extra=log_extra(
            "recalculation.summary",
            job_id=handle.job_id,
            worker_id=handle.worker_id,
            result=result.name,
            **figures,
        ),
    )


def _summary(stats: dict[str, Any]) -> str:
    text = (
        f"Recalculated {stats['recalculated']} data entries "
        f"({stats['modules_refreshed']} modules refreshed)"
    )
    if stats["errors"]:
        text += f"; {stats['errors']} entries have no emissions (entry errors, see details)"
    if stats["skipped_changed"]:
        text += f"; {stats['skipped_changed']} entries edited meanwhile kept their new emissions"
    return text


# --- several types of a module


async def run_module_recalculation_task(
    module_type_id: int, data_entry_type_ids: list[int], year: int, job_id: int
) -> None:
    """Recalculate several data entry types of a module (job `job_id` and its per-type rows)."""
    await execute_job(job_id, _module_work(module_type_id, list(data_entry_type_ids), year))


class _ModuleProgress(RecalculationListener):
    def __init__(self, handle: JobHandle, type_count: int, grand_total: int) -> None:
        self.handle = handle
        self.type_count = type_count
        self.grand_total = grand_total
        self.position = 0
        self.done_before = 0

    async def computed(self, data_entry_type_id: int, done: int, total: int) -> None:
        await self.handle.progress(
            f"Recalculating {type_name(data_entry_type_id)} "
            f"({self.position}/{self.type_count})... {done}/{total}",
            done=self.done_before + done,
            total=max(self.grand_total, self.done_before + done),
        )

    async def writing(self) -> None:
        await self.handle.progress(
            f"Writing the recalculated emissions and stats of {self.type_count} data entry types..."
        )


def _fails_the_job(error: Exception) -> bool:
    """Errors that are not one type's fault: the job is lost, or the database is gone."""
    if isinstance(error, JobLostError):
        return True
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return False


async def _start_child(handle: JobHandle, data_entry_type_id: int, message: str) -> None:
    """The type's per-type row turns RUNNING, at once (job session, visible to the stream)."""
    async with handle.session_factory() as session:
        await DataIngestionRepository(session).start_child(
            handle.job_id, data_entry_type_id, handle.worker_id, message=message
        )
        await session.commit()


def _module_work(module_type_id: int, type_ids: list[int], year: int) -> JobWork:
    async def work(handle: JobHandle, data_session: AsyncSession) -> JobOutcome:
        await handle.progress(STARTING)
        workflow = EmissionRecalculationWorkflow(data_session)
        factor_sequence = await workflow.read_factor_sequence(module_type_id, year)
        totals = {type_id: await workflow.count(type_id, year) for type_id in type_ids}
        grand_total = sum(totals.values())
        await handle.progress(_found(grand_total), done=0, total=grand_total)
        listener = _ModuleProgress(handle, len(type_ids), grand_total)
        workflow.listener = listener
        if grand_total:
            await workflow.open()

        failures: dict[int, str] = {}
        staged: dict[int, StagedType] = {}
        for position, type_id in enumerate(type_ids, start=1):
            listener.position = position
            prefix = f"Recalculating {type_name(type_id)} ({position}/{len(type_ids)})..."
            await _start_child(handle, type_id, prefix)
            await handle.progress(
                f"{prefix} 0/{totals[type_id]}", done=listener.done_before, total=grand_total
            )
            try:
                if totals[type_id]:
                    staged[type_id] = await workflow.stage(type_id, year, total=totals[type_id])
            except SQLAlchemyError:
                raise  # staging only writes TEMP rows: a database error there is not the type's
            except Exception as error:
                if _fails_the_job(error):
                    raise
                failures[type_id] = describe_failure(error)
            listener.done_before += totals[type_id]

        stats: dict[int, TypeStats] = {}
        if grand_total:
            await workflow.begin_swap()
            for type_id, staged_type in staged.items():
                try:
                    async with data_session.begin_nested():
                        stats[type_id] = await workflow.swap(staged_type)
                except Exception as error:
                    if _fails_the_job(error):
                        raise
                    failures[type_id] = describe_failure(error)
            await workflow.refresh_stats([t for t in stats if t not in failures])
            await workflow.close()

        per_type: dict[str, dict[str, Any]] = {}
        jobs = DataIngestionRepository(data_session)
        for type_id in type_ids:
            outcome = _type_outcome(type_id, stats.get(type_id), failures.get(type_id))
            per_type[str(type_id)] = {**outcome.meta, "factor_sequence": factor_sequence}
            await jobs.finish_child(
                handle.job_id,
                type_id,
                result=outcome.result,
                message=outcome.message,
                meta={"recalculation": per_type[str(type_id)]},
                factor_sequence=factor_sequence,
            )
        result, message = _module_result(type_ids, per_type, failures)
        _log_summary(
            handle,
            result,
            message,
            module_type_id=module_type_id,
            types=len(type_ids),
            recalculated=sum(stats["recalculated"] for stats in per_type.values()),
            errors=sum(stats["errors"] for stats in per_type.values()),
            failed_types=",".join(type_name(t) for t in failures) or None,
        )
        return JobOutcome(
            result,
            message,
            meta={"recalculation": per_type},
            factor_sequence=factor_sequence,
        )

    return work


def _type_outcome(type_id: int, stats: TypeStats | None, failure: str | None) -> JobOutcome:
    if failure is not None:
        meta = {**TypeStats().as_dict(), "failed": True, "reason": failure}
        return JobOutcome(IngestionResult.ERROR, f"{type_name(type_id)} failed: {failure}", meta)
    values = (stats or TypeStats()).as_dict()
    result = IngestionResult.WARNING if values["errors"] else IngestionResult.SUCCESS
    return JobOutcome(result, _summary(values), {**values, "failed": False})


def _module_result(
    type_ids: list[int], per_type: dict[str, dict[str, Any]], failures: dict[int, str]
) -> tuple[IngestionResult, str]:
    if type_ids and len(failures) == len(type_ids):
        reasons = "; ".join(f"{type_name(t)}: {reason}" for t, reason in failures.items())
        return IngestionResult.ERROR, f"All {len(type_ids)} data entry types failed: {reasons}"
    recalculated = sum(stats["recalculated"] for stats in per_type.values())
    errors = sum(stats["errors"] for stats in per_type.values())
    message = f"Recalculated {recalculated} data entries of {len(type_ids)} data entry types"
    if errors:
        message += f"; {errors} entries have no emissions (entry errors, see details)"
    if failures:
        names = ", ".join(type_name(t) for t in failures)
        message += f"; failed, left unchanged: {names}"
    result = IngestionResult.WARNING if errors or failures else IngestionResult.SUCCESS
    return result, message


# --- sync wrappers, for the CLI only (never from a thread or the API: Design §3)


def run_recalculation(module_type_id: int, data_entry_type_id: int, year: int, job_id: int) -> None:
    _run(run_recalculation_task(module_type_id, data_entry_type_id, year, job_id))


def run_module_recalculation(
    module_type_id: int, data_entry_type_ids: list[int], year: int, job_id: int
) -> None:
    _run(run_module_recalculation_task(module_type_id, data_entry_type_ids, year, job_id))


def _run(task: Coroutine[Any, Any, None]) -> None:
    async def main() -> None:
        try:
            await task
        finally:
            # The process-wide engine's connections belong to this loop, which ends here.
            await dispose_engine()

    asyncio.run(main())
