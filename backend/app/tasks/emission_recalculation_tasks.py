"""Background recalculation of stored emissions: one data entry type, or several of a module.

A job runs from its id alone (`run_recalculation_job`; the plan's two task signatures delegate
to it): its row gives the scope, and one `EmissionRecalculationWorkflow.run` runs through
`execute_job` (scope lock, claim, heartbeat, one data transaction that also writes the final
job state), with its progress published on the job session (`recalculation_progress`); its
report becomes the job's outcome (`recalculation_outcome`): a module job also finishes its
per-type rows, in the same data transaction. The job's `meta` keeps what it was created with
(`config`) and gains `recalculation`.

A type whose recalculation raises anything but entry errors (a calculator bug, a constraint
violation in its writes) is rolled back alone and stays stale: a single-type job then ends
ERROR with the cause, a module job WARNING (its per-type row ERROR), or ERROR when every type
failed. A job that fails itself (database connection lost, ...) commits nothing and ends ERROR
with the real cause.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import dispose_engine
from app.models import DataIngestionJob
from app.repositories.data_ingestion import DataIngestionRepository
from app.tasks.execution import JobOutcome, conclude, execute_job
from app.tasks.job_handle import JobHandle
from app.tasks.recalculation_outcome import module_job_outcomes, type_job_outcome
from app.tasks.recalculation_progress import (
    STARTING,
    ModuleJobProgress,
    TypeJobProgress,
    type_name,
)
from app.workflows.emission_recalculation import (
    EmissionRecalculationWorkflow,
    RecalculationReport,
    RecalculationScope,
)


async def run_recalculation_job(job_id: int) -> None:
    """Run any recalculation job from its id alone: the row gives the module, the year and
    the type, or, for a module job (type NULL), the covered types in `meta.config`."""
    await execute_job(job_id, _recalculation_work)


async def run_recalculation_task(
    module_type_id: int, data_entry_type_id: int, year: int, job_id: int
) -> None:
    """Recalculate the emissions of one data entry type and year (job `job_id`, whose row
    holds these inputs and decides)."""
    await run_recalculation_job(job_id)


async def run_module_recalculation_task(
    module_type_id: int, data_entry_type_ids: list[int], year: int, job_id: int
) -> None:
    """Recalculate several data entry types of a module (job `job_id` and its per-type rows;
    the row holds these inputs and decides)."""
    await run_recalculation_job(job_id)


def _is_module_job(job: DataIngestionJob) -> bool:
    """A module job's row names no type: its per-type rows do."""
    return job.data_entry_type_id is None


def _scope_of(job: DataIngestionJob) -> RecalculationScope:
    if _is_module_job(job):
        type_ids = tuple(int(t) for t in job.meta["config"]["data_entry_type_ids"])
    else:
        assert job.data_entry_type_id is not None
        type_ids = (job.data_entry_type_id,)
    return RecalculationScope(job.module_type_id, type_ids, job.year)


async def _recalculation_work(handle: JobHandle, data_session: AsyncSession) -> JobOutcome:
    job = await handle.load()
    scope = _scope_of(job)
    module_job = _is_module_job(job)
    await handle.progress(STARTING)
    listener = ModuleJobProgress(handle) if module_job else TypeJobProgress(handle)
    workflow = EmissionRecalculationWorkflow(data_session, listener=listener)
    report = await workflow.run(scope)
    if module_job:
        outcome = await _finish_per_type_rows(handle, data_session, report)
    else:
        outcome = type_job_outcome(report)
    return _concluded(handle, job, outcome, scope, report)


async def _finish_per_type_rows(
    handle: JobHandle, data_session: AsyncSession, report: RecalculationReport
) -> JobOutcome:
    """Each per-type row ends with its own outcome, in the data transaction; returns the
    module job's outcome."""
    parent, children = module_job_outcomes(report)
    jobs = DataIngestionRepository(data_session)
    for type_id, child in children.items():
        await jobs.finish_child(
            handle.job_id,
            type_id,
            result=child.result,
            message=child.message,
            meta={"recalculation": child.meta},
            factor_sequence=child.factor_sequence,
        )
    return parent


def _concluded(
    handle: JobHandle,
    job: DataIngestionJob,
    outcome: JobOutcome,
    scope: RecalculationScope,
    report: RecalculationReport,
) -> JobOutcome:
    return conclude(
        handle,
        job.meta,
        outcome,
        summary="recalculation summary",
        event="recalculation.summary",
        module_type_id=scope.module_type_id,
        types=len(report.types),
        recalculated=report.recalculated,
        errors=report.errors,
        modules_refreshed=sum(t.modules_refreshed for t in report.types),
        skipped_changed=sum(t.skipped_changed for t in report.types),
        failed_types=",".join(type_name(t.data_entry_type_id) for t in report.failures) or None,
    )


# --- sync wrappers, for the CLI only (never from a thread or the API: one event loop each)


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
