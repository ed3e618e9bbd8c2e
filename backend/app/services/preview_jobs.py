"""Creating recalculation preview jobs (a job kind of their own), for the API and the CLI.

A preview covers what the recalculation it previews would: one type, or a module's stale
types (`only_stale`) or all of them. It is one row, with no per-type rows and outside the
one-active-recalculation index, so it is never refused because a recalculation of the scope
is active, and never makes one refused. The job is enqueued: the caller's commit dispatches it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.job_queue import enqueue_job
from app.core.wording import count
from app.domain.ingestion import EntityType, IngestionMethod, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.repositories.data_ingestion import DataIngestionRepository
from app.services.recalculation_jobs import RecalculationJobService, check_type_in_module


@dataclass(frozen=True, slots=True)
class ScheduledPreview:
    """A preview job just created and enqueued (not yet committed): what to answer."""

    job_id: int
    state: IngestionState
    data_entry_types: tuple[DataEntryTypeEnum, ...]

    @property
    def message(self) -> str:
        return (
            "Recalculation preview scheduled for "
            f"{count(len(self.data_entry_types), 'data entry type')}"
        )


class PreviewJobService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.jobs = DataIngestionRepository(session)
        self.recalculations = RecalculationJobService(session)

    async def create(
        self,
        module_type: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum | None,
        year: int,
        *,
        only_stale: bool,
        requested_by: str | None,
        worker_id: str | None,
    ) -> ScheduledPreview:
        """A preview of one type (`only_stale` then does not apply) or of the module's types.

        BadRequest when the type is not the module's, or `only_stale` finds no stale type.
        """
        if data_entry_type is not None:
            check_type_in_module(module_type, data_entry_type)
            types: tuple[DataEntryTypeEnum, ...] = (data_entry_type,)
        else:
            types = await self.recalculations.covered_types(
                module_type, year, only_stale=only_stale
            )
        job = await self.jobs.create_ingestion_job(
            module_type_id=int(module_type),
            data_entry_type_id=None if data_entry_type is None else int(data_entry_type),
            year=year,
            ingestion_method=IngestionMethod.computed,
            target_type=TargetType.EMISSION_PREVIEW,
            entity_type=EntityType.MODULE_PER_YEAR,
            meta={
                "config": {
                    "year": year,
                    "data_entry_type_ids": [int(t) for t in types],
                    "only_stale": only_stale and data_entry_type is None,
                }
            },
            requested_by=requested_by,
            status_message="Recalculation preview scheduled",
            worker_id=worker_id,
        )
        enqueue_job(self.session, job.id)
        return ScheduledPreview(job.id, job.state, types)
