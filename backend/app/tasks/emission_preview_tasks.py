"""Background preview of a recalculation: the job runs `EmissionPreviewWorkflow` from its id.

It runs through `execute_job` without the scope lock (it writes nothing but its own row, so
it neither waits for a recalculation or an import of the scope nor holds one up), with its
progress published like a module recalculation's. Its `meta` keeps `config` and gains
`preview`. Result: SUCCESS; WARNING when a type's preview failed (a calculator bug; its
entry in `meta.preview.types` says why), ERROR when every type's did.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.wording import count
from app.domain.ingestion import IngestionResult
from app.models import DataIngestionJob
from app.tasks.execution import JobOutcome, conclude, execute_job
from app.tasks.job_handle import JobHandle
from app.tasks.recalculation_progress import ModuleJobProgress, type_name
from app.workflows.emission_preview import EmissionPreviewWorkflow, PreviewReport
from app.workflows.preview_tally import Tally
from app.workflows.recalculation_run import RecalculationScope

STARTING = "Starting the recalculation preview..."


async def run_preview_job(job_id: int) -> None:
    """Run the preview job `job_id`: its row gives the module and year, `meta.config` the
    covered types."""
    await execute_job(job_id, _preview_work, scope_lock=False)


def _scope_of(job: DataIngestionJob) -> RecalculationScope:
    type_ids = tuple(int(t) for t in job.meta["config"]["data_entry_type_ids"])
    return RecalculationScope(job.module_type_id, type_ids, job.year)


async def _preview_work(handle: JobHandle, data_session: AsyncSession) -> JobOutcome:
    job = await handle.load()
    scope = _scope_of(job)
    await handle.progress(STARTING)
    listener = ModuleJobProgress(handle, previewing=True)
    report = await EmissionPreviewWorkflow(data_session, listener=listener).run(scope)
    total = report.total
    return conclude(
        handle,
        job.meta,
        preview_outcome(report),
        summary="preview summary",
        event="preview.summary",
        module_type_id=scope.module_type_id,
        types=len(report.types),
        entries=total.entries,
        changed=total.changed,
        newly_failing=total.newly_failing,
        failed_types=",".join(type_name(t.data_entry_type_id) for t in report.failures) or None,
    )


def preview_outcome(report: PreviewReport) -> JobOutcome:
    """The job's result, its one-line summary and `meta.preview`."""
    failed = report.failures
    if failed and len(failed) == len(report.types):
        result = IngestionResult.ERROR
        message = "The preview failed for every type: " + ", ".join(
            type_name(t.data_entry_type_id) for t in failed
        )
    else:
        result = IngestionResult.WARNING if failed else IngestionResult.SUCCESS
        message = _summary(report.total)
        if failed:
            names = ", ".join(type_name(t.data_entry_type_id) for t in failed)
            message += f"; preview failed for: {names}"
    return JobOutcome(result, message, meta={"preview": report.as_meta()})


def _summary(total: Tally) -> str:
    delta, current = total.delta_kg, total.current.value
    text = (
        f"Preview: {count(total.entries, 'data entry')}, {total.changed} would change, "
        f"{delta:+,.1f} kg CO2e"
    )
    if current:
        text += f" ({delta / current * 100:+.1f} %)"
    if total.newly_failing:
        text += f"; {count(total.newly_failing, 'entry')} would newly fail"
    return text
