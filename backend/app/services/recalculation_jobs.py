"""Creating recalculation jobs, for the API, the CLI and the demo alike.

A single-type job is one row. A module job is a parent row (data_entry_type_id NULL) plus one
NOT_STARTED per-type row per covered type, inserted together, so the database's
one-active-recalculation index (`uq_data_ingestion_jobs_active_recalculation`) makes a module
request collide with an active job on any of its types, and the reverse. The insert runs in a
SAVEPOINT: a collision rolls back only that, the transaction stays usable (PostgreSQL aborts a
transaction on a failed statement otherwise), and the active job is looked up and reported as
a Conflict carrying its id. The job is enqueued: the caller's commit dispatches it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import BadRequest, Conflict
from app.core.job_queue import enqueue_job
from app.core.wording import count
from app.domain.ingestion import EntityType, IngestionMethod, IngestionState, TargetType
from app.domain.modules import (
    MODULE_TYPE_TO_DATA_ENTRY_TYPES,
    DataEntryTypeEnum,
    ModuleTypeEnum,
    TypeNotInModuleError,
    data_entry_type_in_module,
)
from app.models import DataIngestionJob
from app.repositories.data_ingestion import ACTIVE_RECALCULATION_INDEX, DataIngestionRepository
from app.repositories.recalculation_status_repo import RecalculationStatusRepository
from app.services.recalculation_status_service import RecalculationStatusService

NOTHING_STALE = "No data entry types require recalculation for this module"
SCHEDULED = "Emission recalculation scheduled"


def _module_scheduled(types: int) -> str:
    return f"Module emission recalculation scheduled for {count(types, 'data entry type')}"


# A colliding job may finish between our failed insert and the lookup: try again then.
_INSERT_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class ScheduledRecalculation:
    """A recalculation job just created and enqueued (not yet committed): what to answer."""

    job_id: int
    state: IngestionState
    module_type: ModuleTypeEnum
    year: int
    # The covered types, in the order the module job handles them.
    data_entry_types: tuple[DataEntryTypeEnum, ...]
    # Per-type rows of a module job, by type; empty for a single-type job.
    child_job_ids: dict[int, int]

    @property
    def is_module_job(self) -> bool:
        return bool(self.child_job_ids)

    @property
    def message(self) -> str:
        if not self.is_module_job:
            return SCHEDULED
        return _module_scheduled(len(self.data_entry_types))


class RecalculationJobService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.jobs = DataIngestionRepository(session)
        self.status = RecalculationStatusService(session)
        self.status_queries = RecalculationStatusRepository(session)

    async def get_job(self, job_id: int) -> DataIngestionJob | None:
        return await self.jobs.get(job_id)

    async def list_child_jobs(self, job_id: int) -> list[DataIngestionJob]:
        return await self.jobs.list_children([job_id])

    async def stale_types(
        self, module_type: ModuleTypeEnum, year: int
    ) -> tuple[DataEntryTypeEnum, ...]:
        """The module's types whose emissions are older than their factors, in module order."""
        return await self.status.stale_types(module_type, year)

    async def covered_types(
        self, module_type: ModuleTypeEnum, year: int, *, only_stale: bool
    ) -> tuple[DataEntryTypeEnum, ...]:
        """The types a module recalculation covers, in module order: the stale ones
        (BadRequest when none is) or all of them."""
        if not only_stale:
            return MODULE_TYPE_TO_DATA_ENTRY_TYPES[module_type]
        types = await self.stale_types(module_type, year)
        if not types:
            raise BadRequest(NOTHING_STALE)
        return types

    async def create_type_job(
        self,
        module_type: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum,
        year: int,
        *,
        requested_by: str | None,
        worker_id: str | None,
    ) -> ScheduledRecalculation:
        """One recalculation of one type and year (BadRequest if the type is not the module's,
        Conflict with the active job's id if one of this type is active)."""
        check_type_in_module(module_type, data_entry_type)

        async def insert() -> ScheduledRecalculation:
            job = await self._create_row(
                module_type,
                year,
                int(data_entry_type),
                config={"data_entry_type_id": int(data_entry_type)},
                status_message=SCHEDULED,
                requested_by=requested_by,
                worker_id=worker_id,
            )
            return ScheduledRecalculation(
                job.id, job.state, module_type, year, (data_entry_type,), {}
            )

        return await self._insert_or_conflict(module_type, year, [data_entry_type], insert)

    async def create_module_job(
        self,
        module_type: ModuleTypeEnum,
        year: int,
        *,
        only_stale: bool,
        requested_by: str | None,
        worker_id: str | None,
    ) -> ScheduledRecalculation:
        """A module recalculation over its stale types (`only_stale`) or all of them.

        BadRequest when `only_stale` finds none; Conflict with the active job's id when the
        module or one of the covered types has an active recalculation.
        """
        types = await self.covered_types(module_type, year, only_stale=only_stale)
        type_ids = [int(t) for t in types]

        async def insert() -> ScheduledRecalculation:
            parent = await self._create_row(
                module_type,
                year,
                None,
                config={"data_entry_type_ids": type_ids, "only_stale": only_stale},
                status_message=_module_scheduled(len(types)),
                requested_by=requested_by,
                worker_id=worker_id,
            )
            children: dict[int, int] = {}
            for position, type_id in enumerate(type_ids, start=1):
                child = await self._create_row(
                    module_type,
                    year,
                    type_id,
                    config={"data_entry_type_id": type_id},
                    status_message=f"Scheduled as type {position}/{len(type_ids)} of module "
                    f"job {parent.id}",
                    requested_by=requested_by,
                    worker_id=worker_id,
                    parent_job_id=parent.id,
                )
                children[type_id] = child.id
            return ScheduledRecalculation(
                parent.id, parent.state, module_type, year, tuple(types), children
            )

        return await self._insert_or_conflict(module_type, year, [None, *types], insert)

    async def _create_row(
        self,
        module_type: ModuleTypeEnum,
        year: int,
        data_entry_type_id: int | None,
        *,
        config: dict[str, Any],
        status_message: str,
        requested_by: str | None,
        worker_id: str | None,
        parent_job_id: int | None = None,
    ) -> DataIngestionJob:
        """One NOT_STARTED recalculation row (a type's, or a module's with type NULL); its
        meta is `{"config": {"year": year, **config}}`."""
        return await self.jobs.create_ingestion_job(
            module_type_id=int(module_type),
            data_entry_type_id=data_entry_type_id,
            year=year,
            ingestion_method=IngestionMethod.computed,
            target_type=TargetType.DATA_ENTRIES,
            entity_type=EntityType.MODULE_PER_YEAR,
            meta={"config": {"year": year, **config}},
            requested_by=requested_by,
            status_message=status_message,
            parent_job_id=parent_job_id,
            worker_id=worker_id,
        )

    async def _insert_or_conflict(
        self,
        module_type: ModuleTypeEnum,
        year: int,
        scope: Sequence[DataEntryTypeEnum | None],
        insert: Callable[[], Awaitable[ScheduledRecalculation]],
    ) -> ScheduledRecalculation:
        scope_ids = [None if t is None else int(t) for t in scope]
        active_id: int | None = None
        for _ in range(_INSERT_ATTEMPTS):
            try:
                async with self.session.begin_nested():
                    scheduled = await insert()
                enqueue_job(self.session, scheduled.job_id)
                return scheduled
            except IntegrityError as error:
                if ACTIVE_RECALCULATION_INDEX not in str(error.orig):
                    raise
            active_id = await self.status_queries.find_active_recalculation_job_id(
                int(module_type), year, scope_ids
            )
            if active_id is not None:
                break
        raise Conflict(_conflict_message(module_type, year, scope, active_id), job_id=active_id)


def check_type_in_module(module_type: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum) -> None:
    """BadRequest, naming the module's types, unless the type is one of them."""
    try:
        data_entry_type_in_module(module_type, data_entry_type)
    except TypeNotInModuleError as refused:
        valid_values = [t.value for t in refused.valid_values]
        raise BadRequest(str(refused), valid_values=valid_values) from None


def _conflict_message(
    module_type: ModuleTypeEnum,
    year: int,
    scope: Sequence[DataEntryTypeEnum | None],
    active_id: int | None,
) -> str:
    types = [t for t in scope if t is not None]
    what = (
        f"{types[0].name} ({module_type.name}) {year}"
        if None not in scope
        else f"module {module_type.name} {year} or one of its types "
        f"({', '.join(t.name for t in types)})"
    )
    holder = f"job {active_id}" if active_id is not None else "another job"
    return (
        f"An emission recalculation of {what} is already scheduled or running ({holder}); "
        "follow it or wait for it to finish, then try again"
    )
